namespace Orleans.KeyValue;

/// <summary>A script to run inside a key grain's turn (EVAL, EVALSHA), or a Redis function (FCALL, FCALL_RO).</summary>
/// <param name="Body">The script's source (empty for a function).</param>
/// <param name="Keys">KEYS: every one the grain's key.</param>
/// <param name="Arguments">ARGV.</param>
/// <param name="Function">The function to call instead of a script, or null.</param>
[GenerateSerializer, Immutable]
[Alias("kv.ScriptRequest")]
public readonly record struct ScriptRequest(
    [property: Id(0)] byte[] Body,
    [property: Id(1)] byte[][] Keys,
    [property: Id(2)] byte[][] Arguments,
    [property: Id(3)] string? Function = null);

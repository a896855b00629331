namespace Orleans.KeyValue;

/// <summary>One hash command on one key; errors are Redis's, decided in the key's turn in Redis's order.</summary>
/// <param name="Operation">The command.</param>
/// <param name="Arguments">Its fields (and values, for HSET, HMSET, HSETNX; the increment's text for HINCRBYFLOAT).</param>
/// <param name="Integer">HINCRBY's increment, HRANDFIELD's count.</param>
/// <param name="HasCount">HRANDFIELD was given a count.</param>
/// <param name="WithValues">HRANDFIELD ... WITHVALUES.</param>
[GenerateSerializer, Immutable]
[Alias("kv.HashRequest")]
public readonly record struct HashRequest(
    [property: Id(0)] HashOperation Operation,
    [property: Id(1)] byte[][] Arguments,
    [property: Id(2)] long Integer = 0,
    [property: Id(3)] bool HasCount = false,
    [property: Id(4)] bool WithValues = false);

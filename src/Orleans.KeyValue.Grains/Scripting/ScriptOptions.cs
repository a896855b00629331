namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>Limits of the Lua scripting engine (EVAL, EVALSHA, SCRIPT).</summary>
public sealed class ScriptOptions
{
    /// <summary>
    /// How long one script may run, including the commands it calls, before it is stopped with an error.
    /// Zero or a negative value: no limit.
    /// </summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many idle Lua states the engine keeps for reuse; more are closed when returned.</summary>
    public int MaxIdleStates { get; set; } = 8;

    /// <summary>
    /// How deeply nested a table returned by a script may be; deeper levels become the error
    /// <c>ERR reached lua stack limit</c>, as Redis does for self-referencing tables.
    /// </summary>
    public int MaxReplyDepth { get; set; } = 1000;
}

using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Where a command runs: a client connection, or a script inside a grain's turn.</summary>
public sealed class CommandContext(ClientSession session)
{
    public ClientSession Session { get; } = session;

    /// <summary>Inside a script: the key whose turn runs it (null for a script without keys).</summary>
    public KeyOperations? Grain { get; init; }

    /// <summary>True while a script's redis.call runs.</summary>
    public bool InScript { get; init; }

    /// <summary>How many silos forwarded this command before it arrived here (0 from a client).</summary>
    public int Hops { get; init; }

    /// <summary>The command running now (null for an unknown command), for the statistics.</summary>
    public CommandDefinition? Current { get; set; }
}

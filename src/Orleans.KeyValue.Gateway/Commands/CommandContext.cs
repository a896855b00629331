using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Where a command runs: a client connection, or a script inside a grain's turn.</summary>
public sealed class CommandContext(ClientSession session)
{
    public ClientSession Session { get; } = session;

    /// <summary>Inside a script of one key: the key whose turn runs it (null otherwise).</summary>
    public KeyOperations? Grain { get; init; }

    /// <summary>Inside a script over several keys of one slot: the slot's keys, held for it (null otherwise).</summary>
    public SlotKeys? SlotKeys { get; init; }

    /// <summary>True while a script's redis.call runs.</summary>
    public bool InScript { get; init; }

    /// <summary>
    /// Inside a script that runs away from its client's connection (in its key's turn, or over
    /// its slot): the user that called it, whose permissions its commands are checked against
    /// (null: the session's user).
    /// </summary>
    public Acl.AclUser? ScriptUser { get; init; }

    /// <summary>
    /// True while EXEC runs a transaction's queue (which runs as a script does): its commands
    /// were checked against the user when they were queued, and the server's own look at the
    /// watched keys must not be.
    /// </summary>
    public bool InTransaction { get; init; }

    /// <summary>Inside a function flagged no-writes: its write commands are refused.</summary>
    public bool ReadOnlyScript { get; init; }

    /// <summary>How many silos forwarded this command before it arrived here (0 from a client).</summary>
    public int Hops { get; init; }

    /// <summary>
    /// Inside a script: the operations of <paramref name="key"/> if the script may touch it (its
    /// grain's key, or any key of its held slot), else null.
    /// </summary>
    public KeyOperations? FindKey(ReadOnlySpan<byte> key) =>
        Grain is { } grain && key.SequenceEqual(grain.Key) ? grain : SlotKeys?.Find(key);

    /// <summary>The command running now (null for an unknown command), for the statistics.</summary>
    public CommandDefinition? Current { get; set; }
}

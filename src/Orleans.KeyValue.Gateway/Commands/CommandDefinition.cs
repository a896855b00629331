namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>One entry of the command table, with what COMMAND INFO and COMMAND DOCS report.</summary>
public sealed class CommandDefinition
{
    /// <summary>Lower-case name; subcommands are <c>container|sub</c>, as in Redis 7.</summary>
    public required string Name { get; init; }

    /// <summary>Redis's arity: n exactly, or -n for at least n (the name counts).</summary>
    public required int Arity { get; init; }

    public CommandHandler? Handler { get; init; }

    public string[] Flags { get; init; } = [];

    /// <summary>Redis's ACL categories, with their @, as COMMAND INFO reports them (from the ACL table, by name).</summary>
    public string[] AclCategories => _aclCategories ??= Acl.AclCategories.Of(Name);

    /// <summary>The command's place among a user's permission bits (see <see cref="Acl.AclCommandSpace"/>).</summary>
    internal int AclId
    {
        get
        {
            if (_aclId == int.MinValue)
            {
                _aclId = Acl.AclCommandSpace.IdOf(Name);
            }

            return _aclId;
        }
    }

    private string[]? _aclCategories;
    private int _aclId = int.MinValue;

    public int FirstKey { get; init; }

    public int LastKey { get; init; }

    public int Step { get; init; }

    /// <summary>Where the keys are, for cluster routing.</summary>
    public KeyRouting Routing { get; init; }

    public string Group { get; init; } = "generic";

    public string Summary { get; init; } = string.Empty;

    public string Since { get; init; } = "1.0.0";

    /// <summary>May run inside a script (redis.call).</summary>
    public bool AllowedInScript { get; init; }

    /// <summary>May run before AUTH.</summary>
    public bool AllowedUnauthenticated { get; init; }

    /// <summary>
    /// Guards its slot itself (holds it for itself alone, see SlotTurn): the router must not hold
    /// the slot for it too, or it would wait for itself. Scripts, and the commands over several keys.
    /// </summary>
    public bool HoldsSlot { get; init; }

    /// <summary>For container commands (CLIENT, SCRIPT, ...): the subcommands by lower-case name.</summary>
    public Dictionary<string, CommandDefinition>? Subcommands { get; init; }

    /// <summary>The name after the container's bar, upper case, for messages.</summary>
    public string ShortName => Name.Contains('|', StringComparison.Ordinal) ? Name[(Name.IndexOf('|', StringComparison.Ordinal) + 1)..] : Name;

    internal long Calls;

    internal long ErrorCalls;

    /// <summary>Times this command answered with an error (counted by the connection that ran it).</summary>
    public long ErrorCount => Interlocked.Read(ref ErrorCalls);

    /// <summary>How long this command took, as its clients saw it (recorded by the connection that ran it).</summary>
    public Diagnostics.LatencyHistogram Latency { get; } = new();

    /// <summary>Times this command ran.</summary>
    public long CallCount => Interlocked.Read(ref Calls);

    public bool ArityAccepts(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}

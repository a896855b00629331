namespace Orleans.KeyValue.Client;

/// <summary>How a <see cref="KeyValueClient"/> connects.</summary>
public sealed class KeyValueClientOptions
{
    /// <summary>Configuration section for <c>AddKeyValueClient</c>.</summary>
    public const string SectionName = "KeyValue";

    /// <summary>Gateways, <c>host:port</c>; any silo of the cluster will do. The client fails over to the next one.</summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>The server's password (<c>requirepass</c>), if any.</summary>
    public string? Password { get; set; }

    /// <summary>The user for AUTH; <c>default</c> when only a password is set.</summary>
    public string? User { get; set; }

    /// <summary>Shown in CLIENT LIST.</summary>
    public string? ClientName { get; set; } = "orleans-keyvalue-client";

    /// <summary>How long opening a connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may wait for its reply, unless the call says otherwise.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Send each key's command straight to the silo that owns it, as learnt from <c>CLUSTER
    /// SLOTS</c> (refreshed every <see cref="ClusterMapRefreshInterval"/>); a stale map costs the
    /// cluster one forward, never a wrong answer. Off, or against a server without the command,
    /// every command goes to the gateway in use.
    /// </summary>
    public bool ClusterRouting { get; set; } = true;

    /// <summary>How often the slot map is read again.</summary>
    public TimeSpan ClusterMapRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Commands written but not yet answered on one connection before callers wait.</summary>
    public int MaxPendingCommands { get; set; } = 65536;
}

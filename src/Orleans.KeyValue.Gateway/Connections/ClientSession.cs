using System.Net;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>The state of one client connection (Redis's <c>client</c> struct, the parts we keep).</summary>
public sealed class ClientSession
{
    public ClientSession(long id, EndPoint? remote, EndPoint? local, long connectedAtMs, bool authenticated)
    {
        Id = id;
        Remote = remote;
        Local = local;
        ConnectedAtMs = connectedAtMs;
        Authenticated = authenticated;
        LastActivityMs = connectedAtMs;
    }

    /// <summary>CLIENT ID.</summary>
    public long Id { get; }

    public EndPoint? Remote { get; }

    public EndPoint? Local { get; }

    public long ConnectedAtMs { get; }

    /// <summary>When the last command arrived.</summary>
    public long LastActivityMs { get; set; }

    /// <summary>The last command's name, lower case (CLIENT INFO's <c>cmd</c>).</summary>
    public string LastCommand { get; set; } = "NULL";

    /// <summary>True when the client came in over TLS (<c>--tls-port</c>): CLUSTER SLOTS then names TLS ports.</summary>
    public bool IsTls { get; init; }

    /// <summary>2 or 3 (HELLO).</summary>
    public int Protocol { get; set; } = 2;

    /// <summary>False until AUTH when a password is required.</summary>
    public bool Authenticated { get; set; }

    /// <summary>
    /// Redis's authRequired: not authenticated, and the default user is off or has passwords
    /// (asked at every command, so a default user made nopass later lets waiting connections in).
    /// </summary>
    public bool AuthRequired => !Authenticated && User?.OpensWithoutPassword != true;

    /// <summary>
    /// The ACL user the connection runs as: <c>default</c> until AUTH names another; null for the
    /// server's own sessions (forwarded commands, checked where the client sent them), which may run anything.
    /// </summary>
    public Acl.AclUser? User { get; set; }

    /// <summary>Closes the connection at once (set by its handler): ACL DELUSER closes the user's other connections, client eviction and output buffer limits the client's.</summary>
    internal Action? Kill { get; set; }

    /// <summary>While this connection's own ACL DELUSER runs: if its user goes, it closes after the reply instead of at once.</summary>
    internal bool KeepOpenForReply { get; set; }

    /// <summary>CLIENT SETNAME.</summary>
    public string? Name { get; set; }

    /// <summary>CLIENT SETINFO LIB-NAME / LIB-VER.</summary>
    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    /// <summary>Input received and not yet run (a half-sent command, a pipeline still to parse).</summary>
    public long InputBytes { get; internal set; }

    /// <summary>Replies the client has not taken yet that the silo holds for it.</summary>
    public long OutputBytes { get; internal set; }

    /// <summary>Set by QUIT: close once the reply is sent.</summary>
    public bool CloseRequested { get; set; }

    /// <summary>The MULTI in progress, or null.</summary>
    internal Commands.Transaction? Transaction { get; set; }

    /// <summary>WATCHed keys with what they held when watched (see <see cref="Commands.TransactionCommands"/>), or null.</summary>
    internal Dictionary<byte[], byte[]>? Watched { get; set; }
}

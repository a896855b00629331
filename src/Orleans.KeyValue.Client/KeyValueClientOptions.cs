using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

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

    /// <summary>
    /// Speak TLS to the gateways (a silo's <c>--tls-port</c>, or Redis's). Off by default: then
    /// the connection is the plain socket, as before.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// The name the server's certificate must carry (and the SNI sent); by default the host of
    /// the endpoint dialled (an address such as <c>127.0.0.1</c> must then be in the certificate's
    /// IP names). Not checked when the certificate is pinned by <see cref="TlsServerCertificateThumbprint"/>.
    /// </summary>
    public string? TlsTargetHost { get; set; }

    /// <summary>
    /// The CAs the server's certificate must chain to (a private CA, such as the one given to
    /// the silos' <c>--tls-ca-cert-file</c>); empty, the system's trusted roots.
    /// </summary>
    public X509Certificate2Collection TlsCertificateAuthorities { get; } = [];

    /// <summary>
    /// Pins the server's certificate: its SHA-1 thumbprint (40 hex digits) or SHA-256 hash (64);
    /// any other certificate is refused, and chain and name are not checked.
    /// </summary>
    public string? TlsServerCertificateThumbprint { get; set; }

    /// <summary>A client certificate, with its private key, for servers that require one (<c>tls-auth-clients yes</c>).</summary>
    public X509Certificate2? TlsClientCertificate { get; set; }

    /// <summary>Decides alone whether the server's certificate is accepted, instead of the CA, thumbprint and name checks.</summary>
    public RemoteCertificateValidationCallback? TlsServerCertificateValidation { get; set; }
}

using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// Where the store's silos are and how to talk to them through Orleans (configuration section
/// <see cref="SectionName"/>). Give either <see cref="Gateways"/> (a fixed list of the silos'
/// Orleans gateway ports) or <see cref="PostgresConnectionString"/> (the silos' membership table,
/// which lists the gateways of the silos alive now); with neither, <see cref="DefaultGateway"/>.
/// </summary>
public sealed class KeyValueOrleansClientOptions
{
    /// <summary>The configuration section read by the host builder overload.</summary>
    public const string SectionName = "KeyValueOrleans";

    /// <summary>The gateway used when neither gateways nor a connection string are given: one silo on this machine.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>The service id of the store's silos.</summary>
    public const string DefaultServiceId = "orleans-keyvalue";

    /// <summary>The cluster id of the store's silos unless they were started with another.</summary>
    public const string DefaultClusterId = "default";

    /// <summary>
    /// The silos' Orleans gateway endpoints as <c>host:port</c> (not their RESP ports). A host
    /// name is resolved once, when the client starts; the client spreads calls over the gateways
    /// that answer and skips those that do not.
    /// </summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>
    /// A PostgreSQL connection string: the client reads the live gateways from the Orleans
    /// membership table there (ADO.NET clustering, invariant <c>Npgsql</c>) instead of a fixed list.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// The silos' cluster id (<c>--cluster-id</c>). A gateway closes the connection of a client of
    /// another cluster, which then keeps trying until it gives up: a wrong id looks like an unreachable gateway.
    /// </summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The silos' service id.</summary>
    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>How long a call waits for its reply before it fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="KeyValueGrainClient.ConnectAsync"/> waits for a first gateway to
    /// answer. (Left to itself, Orleans keeps retrying an unreachable gateway for minutes; a host
    /// that starts the client through <c>AddKeyValueOrleansClient</c> waits as long as its own
    /// start allows.)
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Speak TLS to the gateways, for silos started with <c>--tls-cluster yes</c>. Off by default.
    /// The gateway's certificate must chain to <see cref="TlsCertificateAuthorities"/> or match
    /// <see cref="TlsServerCertificateThumbprint"/> (one of them is required); host names are not
    /// checked, as between silos (gateways are found by address).
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>The CAs a gateway's certificate must chain to (the silos' <c>--tls-ca-cert-file</c>).</summary>
    public X509Certificate2Collection TlsCertificateAuthorities { get; } = [];

    /// <summary>Pins the gateways' certificate: its SHA-1 thumbprint (40 hex digits) or SHA-256 hash (64).</summary>
    public string? TlsServerCertificateThumbprint { get; set; }

    /// <summary>
    /// This client's certificate, with its private key: needed when the silos ask for one
    /// (<c>--tls-auth-clients yes</c>, the default with a CA), and it must chain to their CA.
    /// </summary>
    public X509Certificate2? TlsClientCertificate { get; set; }

    /// <summary>The problems of these options, none when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (Gateways.Count > 0 && !string.IsNullOrEmpty(PostgresConnectionString))
        {
            failures.Add("Give either Gateways or PostgresConnectionString, not both.");
        }

        foreach (var gateway in Gateways)
        {
            if (!GatewayEndpoint.TryParse(gateway, out _, out _))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"Gateway '{gateway}' is not host:port with a port from 1 to 65535."));
            }
        }

        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            failures.Add("ClusterId is empty.");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            failures.Add("ServiceId is empty.");
        }

        if (ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add("ResponseTimeout must be positive.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("ConnectTimeout must be positive.");
        }

        if (UseTls && TlsCertificateAuthorities.Count == 0 && string.IsNullOrEmpty(TlsServerCertificateThumbprint))
        {
            failures.Add("UseTls needs TlsCertificateAuthorities or TlsServerCertificateThumbprint to check the gateways' certificate.");
        }

        if (TlsServerCertificateThumbprint is { Length: not (40 or 64) })
        {
            failures.Add("TlsServerCertificateThumbprint must be a SHA-1 thumbprint (40 hex digits) or a SHA-256 hash (64).");
        }

        if (TlsClientCertificate is { HasPrivateKey: false })
        {
            failures.Add("TlsClientCertificate has no private key.");
        }

        return failures;
    }
}

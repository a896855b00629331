namespace Orleans.KeyValue.Silo.Tls;

/// <summary>
/// TLS, with Redis's option names: the certificate and key every TLS port of the silo presents
/// (<c>--tls-cert-file</c>, <c>--tls-key-file</c>, PEM), the CA that client and peer certificates
/// must chain to (<c>--tls-ca-cert-file</c>), whether RESP clients must show one
/// (<c>--tls-auth-clients</c>), and which other ports use TLS (<c>--tls-cluster</c>,
/// <c>--tls-dashboard</c>). The RESP TLS port itself is <c>Gateway:TlsPort</c> (<c>--tls-port</c>).
/// </summary>
public sealed class TlsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Tls";

    /// <summary>The certificate (PEM), optionally followed by its intermediate CAs (<c>--tls-cert-file</c>).</summary>
    public string? CertFile { get; set; }

    /// <summary>The certificate's private key (PEM, unencrypted) (<c>--tls-key-file</c>).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The CA certificates (PEM) that clients' and other silos' certificates must chain to (<c>--tls-ca-cert-file</c>).</summary>
    public string? CaCertFile { get; set; }

    /// <summary>
    /// Redis's <c>tls-auth-clients</c>: <c>yes</c> (a RESP client must present a certificate signed
    /// by the CA; the default when a CA is given), <c>no</c> (none is requested; the default
    /// without a CA) or <c>optional</c> (one is requested and, if given, must be valid).
    /// </summary>
    public string? AuthClients { get; set; }

    /// <summary>
    /// Redis's <c>tls-cluster</c> (<c>--tls-cluster yes</c>): silo-to-silo traffic and Orleans
    /// clients' gateway connections use TLS with the same certificate; peers must chain to the CA.
    /// </summary>
    public bool Cluster { get; set; }

    /// <summary>
    /// <c>--tls-dashboard yes|no</c>: HTTPS on the dashboard port. Unset, the dashboard uses HTTPS
    /// whenever a certificate is configured (its password and the values it shows then never
    /// travel in the clear); <c>no</c> keeps plain HTTP.
    /// </summary>
    public bool? Dashboard { get; set; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

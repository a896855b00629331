namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>What the membership row says about this silo besides its address: set by the host.</summary>
public sealed class SiloIdentity
{
    /// <summary>A name for people.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The RESP gateway port.</summary>
    public int GatewayPort { get; set; }

    /// <summary>The RESP port over TLS (<c>--tls-port</c>); 0 when there is none.</summary>
    public int TlsPort { get; set; }
}

namespace Orleans.KeyValue.Runtime.Placement;

/// <summary>One silo as the store sees it: Orleans's member, with the ports clients use.</summary>
public sealed record ClusterSilo
{
    /// <summary>The silo's Orleans address (endpoint and generation).</summary>
    public required SiloAddress Silo { get; init; }

    /// <summary>Its RESP port (0 while not yet known).</summary>
    public required int GatewayPort { get; init; }

    /// <summary>Its RESP port over TLS, 0 when it has none (or is not yet known).</summary>
    public int TlsPort { get; init; }

    /// <summary>Its name (<c>--silo-name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its status in Orleans's membership (ShuttingDown once it announced a clean leave).</summary>
    public required SiloStatus Status { get; init; }

    /// <summary>When it started (from the silo itself; its generation's time until known).</summary>
    public required DateTimeOffset StartTime { get; init; }
}

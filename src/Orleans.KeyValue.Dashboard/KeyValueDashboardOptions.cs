namespace Orleans.KeyValue.Dashboard;

/// <summary>The dashboard's settings; the silo fills them from <c>Silo:DashboardPassword</c>.</summary>
public sealed class KeyValueDashboardOptions
{
    /// <summary>When set, every page and API call needs it (HTTP Basic, any user name).</summary>
    public string? Password { get; set; }

    /// <summary>How long a query to another silo may take before the page shows it as unreachable.</summary>
    public TimeSpan SiloQueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many bytes of a value the key inspector shows.</summary>
    public int ValuePreviewBytes { get; set; } = 4096;

    /// <summary>How often <c>/api/stream</c> sends a sample.</summary>
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many busiest keys <c>/api/grains</c> lists.</summary>
    public int BusiestKeys { get; set; } = 20;

    /// <summary>
    /// Mount Orleans's own dashboard (Microsoft.Orleans.Dashboard) at <c>/orleans/</c>, behind the
    /// same password; the silo sets it when it adds Orleans's dashboard to its Orleans silo.
    /// </summary>
    public bool MountOrleansDashboard { get; set; }
}

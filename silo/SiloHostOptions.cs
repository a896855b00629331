using System.ComponentModel.DataAnnotations;

namespace Orleans.KeyValue.Silo;

/// <summary>The silo process: its HTTP port (health and the dashboard) and shutdown.</summary>
public sealed class SiloHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Silo";

    /// <summary>HTTP port for the health endpoint and the dashboard (<c>--dashboard-port</c>); 0 turns it off.</summary>
    [Range(0, 65535)]
    public int DashboardPort { get; set; } = 8080;

    /// <summary>Address of the HTTP port (<c>--dashboard-bind</c>); loopback unless configured.</summary>
    [Required]
    public string DashboardBind { get; set; } = "127.0.0.1";

    /// <summary>
    /// Run socket continuations inline on the I/O thread (Kestrel's UnsafePreferInlineScheduling).
    /// Off by default: measured here (3 A/B rounds, noisy machine) it helped pipeline 1 a little
    /// and hurt pipeline 16.
    /// </summary>
    public bool InlineScheduling { get; set; }

    /// <summary>The dashboard's password (<c>--dashboard-password</c>): every page and API call needs it (HTTP Basic, any user name).</summary>
    public string? DashboardPassword { get; set; }

    /// <summary>
    /// Allows a non-loopback <see cref="DashboardBind"/> without a password (<c>--dashboard-insecure</c>);
    /// without it such a silo refuses to start.
    /// </summary>
    public bool DashboardInsecure { get; set; }

    /// <summary>How long a clean shutdown may take: the hand-over of the silo's keys and in-flight commands.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

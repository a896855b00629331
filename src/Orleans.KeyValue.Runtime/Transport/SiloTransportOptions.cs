using System.ComponentModel.DataAnnotations;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>The silo-to-silo port and its limits (section <c>Cluster</c>).</summary>
public sealed class SiloTransportOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Cluster";

    /// <summary>The silo-to-silo port (<c>--silo-port</c>).</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Address the silo port listens on (<c>--silo-bind</c>).</summary>
    [Required]
    public string SiloBind { get; set; } = "127.0.0.1";

    /// <summary>The address other silos reach this one at (<c>--advertise</c>); the bind address when it is specific.</summary>
    public string? AdvertisedHost { get; set; }


    /// <summary>How long a forwarded command may wait for its owner; then the client gets a retryable error.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);



    /// <summary>The host other silos use for this one.</summary>
    public string Advertised => AdvertisedHost ?? (SiloBind is "0.0.0.0" or "*" or "::" ? "127.0.0.1" : SiloBind);
}

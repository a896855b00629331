using System.ComponentModel.DataAnnotations;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>How the silo finds its cluster and detects failures (section <c>Membership</c>).</summary>
public sealed class MembershipOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Membership";

    /// <summary><c>embedded</c> (default) or <c>postgres</c> (<c>--membership</c>).</summary>
    [Required]
    public string Provider { get; set; } = "embedded";

    /// <summary>Embedded table: silo ports (<c>host:port,...</c>) of running silos to join (<c>--seeds</c>); none for the first silo, which hosts the table.</summary>
    public string? Seeds { get; set; }

    /// <summary>PostgreSQL connection string (<c>--connection-string</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Several clusters can share one PostgreSQL database (<c>--cluster-id</c>).</summary>
    [Required]
    public string ClusterId { get; set; } = "default";

    /// <summary>A name for people (<c>--silo-name</c>); the machine name and port when unset.</summary>
    public string? SiloName { get; set; }

    /// <summary>How often every other silo is probed.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may take before it counts as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row after which a silo votes the target dead.</summary>
    [Range(1, 100)]
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Votes that declare a silo dead (fewer when fewer other silos are active).</summary>
    [Range(1, 100)]
    public int VotesForDeath { get; set; } = 2;

    /// <summary>Votes older than this no longer count.</summary>
    public TimeSpan VoteExpiration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the table is read even when nobody announced a change.</summary>
    public TimeSpan TableRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the silo writes its heartbeat into the table.</summary>
    public TimeSpan IAmAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the silo keeps trying to reach the table at start.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Points per silo on the consistent-hash ring.</summary>
    [Range(1, 4096)]
    public int VirtualNodes { get; set; } = 128;

    /// <summary>Slots moved in one hand-over message.</summary>
    [Range(1, 16384)]
    public int HandoverBatchSlots { get; set; } = 256;

    /// <summary>The seeds as endpoints.</summary>
    public IReadOnlyList<string> SeedEndpoints =>
        (Seeds ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>One row of the membership table (Orleans's <c>MembershipEntry</c>).</summary>
public sealed record MembershipEntry
{
    /// <summary>The silo, with its generation.</summary>
    public required SiloAddress Silo { get; init; }

    /// <summary>The RESP gateway port clients use.</summary>
    public required int GatewayPort { get; init; }

    /// <summary>A name for people (dashboard, INFO cluster).</summary>
    public required string Name { get; init; }

    /// <summary>The silo's status.</summary>
    public required SiloStatus Status { get; init; }

    /// <summary>When the silo started.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>The silo's last heartbeat in the table.</summary>
    public required DateTimeOffset IAmAliveTime { get; init; }

    /// <summary>Votes of other silos that this one is dead.</summary>
    public IReadOnlyList<SuspectVote> Suspicions { get; init; } = [];
}

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// The cluster's membership table (Orleans's <c>IMembershipTable</c>): one row per silo
/// incarnation plus a version. Embedded (hosted by the seed silo) or PostgreSQL.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates the table if it is missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads every row and the version, consistently.</summary>
    Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts <paramref name="entry"/> when no row has its silo and the table is at
    /// <paramref name="expectedVersion"/>; bumps the version. False when either check fails.
    /// </summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the row of <paramref name="entry"/>'s silo when its etag is still
    /// <paramref name="etag"/> and the table is at <paramref name="expectedVersion"/>; bumps
    /// the version. False when either check fails.
    /// </summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Sets the heartbeat column of <paramref name="silo"/>'s row only; changes neither etag nor version.</summary>
    Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Removes rows of dead silos whose heartbeat is older than <paramref name="before"/>. Returns how many.</summary>
    Task<int> CleanupDeadAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

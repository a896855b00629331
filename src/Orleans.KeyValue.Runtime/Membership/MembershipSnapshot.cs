namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// The whole table at one version. Every insert or update names the version it read and
/// succeeds only if the table is still at it (a compare-and-swap), then bumps it, so two
/// silos deciding on the same stale view cannot both write.
/// </summary>
/// <param name="Version">The table's version.</param>
/// <param name="Rows">Every silo that ever joined and was not cleaned up, in no order.</param>
public sealed record MembershipSnapshot(long Version, IReadOnlyList<MembershipRow> Rows)
{
    /// <summary>An empty table.</summary>
    public static MembershipSnapshot Empty { get; } = new(0, []);

    /// <summary>The row of <paramref name="silo"/>, if present.</summary>
    public MembershipRow? Find(SiloAddress silo)
    {
        foreach (var row in Rows)
        {
            if (row.Entry.Silo == silo)
            {
                return row;
            }
        }

        return null;
    }
}

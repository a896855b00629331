namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// A configuration the search has explored (Lowe's memoization): which operations are linearized,
/// as a bitset, and the register state they leave. Whatever follows depends on these alone, so a
/// configuration met again by another order is a dead end already. <see cref="SetHash"/> is the XOR
/// of the members' random codes (Zobrist hashing), kept up to date per step instead of rehashing the bitset.
/// </summary>
internal readonly record struct SearchCacheKey(ulong[] Linearized, int State, ulong SetHash)
{
    /// <summary>A copy that owns its bitset (a lookup key borrows the search's live one).</summary>
    public SearchCacheKey Snapshot() => this with { Linearized = (ulong[])Linearized.Clone() };

    public bool Equals(SearchCacheKey other) =>
        SetHash == other.SetHash
        && State == other.State
        && Linearized.AsSpan().SequenceEqual(other.Linearized);

    public override int GetHashCode() => HashCode.Combine(SetHash, State);
}

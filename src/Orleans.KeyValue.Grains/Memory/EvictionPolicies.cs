namespace Orleans.KeyValue.Grains.Memory;

/// <summary>Redis's names of the eviction policies, both ways.</summary>
public static class EvictionPolicies
{
    private static readonly (string Name, EvictionPolicy Policy)[] Names =
    [
        ("noeviction", EvictionPolicy.NoEviction),
        ("allkeys-lru", EvictionPolicy.AllKeysLru),
        ("allkeys-lfu", EvictionPolicy.AllKeysLfu),
        ("allkeys-random", EvictionPolicy.AllKeysRandom),
        ("volatile-lru", EvictionPolicy.VolatileLru),
        ("volatile-lfu", EvictionPolicy.VolatileLfu),
        ("volatile-random", EvictionPolicy.VolatileRandom),
        ("volatile-ttl", EvictionPolicy.VolatileTtl),
    ];

    /// <summary>The policy Redis calls <paramref name="name"/> (any case), if there is one.</summary>
    public static bool TryParse(string? name, out EvictionPolicy policy)
    {
        foreach (var (known, value) in Names)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                policy = value;
                return true;
            }
        }

        policy = EvictionPolicy.NoEviction;
        return false;
    }

    /// <summary>Redis's name of <paramref name="policy"/>.</summary>
    public static string NameOf(EvictionPolicy policy) => Array.Find(Names, n => n.Policy == policy).Name;

    /// <summary>True for the policies that only evict keys with a deadline.</summary>
    public static bool OnlyVolatile(this EvictionPolicy policy) =>
        policy is EvictionPolicy.VolatileLru or EvictionPolicy.VolatileLfu or EvictionPolicy.VolatileRandom or EvictionPolicy.VolatileTtl;

    /// <summary>True for the policies that rank keys by recent use.</summary>
    public static bool IsLru(this EvictionPolicy policy) => policy is EvictionPolicy.AllKeysLru or EvictionPolicy.VolatileLru;

    /// <summary>True for the policies that rank keys by frequency of use.</summary>
    public static bool IsLfu(this EvictionPolicy policy) => policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu;
}

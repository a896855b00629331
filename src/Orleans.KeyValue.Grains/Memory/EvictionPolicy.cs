namespace Orleans.KeyValue.Grains.Memory;

/// <summary>Redis's <c>maxmemory-policy</c>: what a silo past its <c>maxmemory</c> does to make room.</summary>
public enum EvictionPolicy
{
    /// <summary>Evict nothing: commands that may grow memory answer OOM.</summary>
    NoEviction,

    /// <summary>Evict the least recently used key (sampled).</summary>
    AllKeysLru,

    /// <summary>Evict the least frequently used key (sampled, Redis's logarithmic counter).</summary>
    AllKeysLfu,

    /// <summary>Evict a random key.</summary>
    AllKeysRandom,

    /// <summary>Evict the least recently used key among those with a deadline.</summary>
    VolatileLru,

    /// <summary>Evict the least frequently used key among those with a deadline.</summary>
    VolatileLfu,

    /// <summary>Evict a random key among those with a deadline.</summary>
    VolatileRandom,

    /// <summary>Evict the key with a deadline nearest to now (sampled).</summary>
    VolatileTtl,
}

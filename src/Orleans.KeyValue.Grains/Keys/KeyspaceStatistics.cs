namespace Orleans.KeyValue.Grains.Keys;

/// <summary>Cheap counters of the keyspace (INFO stats, the dashboard).</summary>
public sealed class KeyspaceStatistics
{
    private long _expiredKeys;
    private long _hits;
    private long _misses;
    private long _activations;
    private long _activationsTotal;

    /// <summary>Keys removed because their deadline passed (lazily or by the wheel).</summary>
    public long ExpiredKeys => Interlocked.Read(ref _expiredKeys);

    /// <summary>Reads that found a key.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Reads that found no key.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Key grain activations alive on this silo now.</summary>
    public long Activations => Interlocked.Read(ref _activations);

    /// <summary>Key grain activations made on this silo since start.</summary>
    public long ActivationsTotal => Interlocked.Read(ref _activationsTotal);

    internal void Activated()
    {
        Interlocked.Increment(ref _activations);
        Interlocked.Increment(ref _activationsTotal);
    }

    internal void Deactivated() => Interlocked.Decrement(ref _activations);

    internal void Expired() => Interlocked.Increment(ref _expiredKeys);

    internal void Read(bool hit)
    {
        if (hit)
        {
            Interlocked.Increment(ref _hits);
        }
        else
        {
            Interlocked.Increment(ref _misses);
        }
    }
}

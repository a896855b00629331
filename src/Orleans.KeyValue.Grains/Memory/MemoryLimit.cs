namespace Orleans.KeyValue.Grains.Memory;

/// <summary>
/// A silo's <c>maxmemory</c>, its eviction policy and the gauge they are measured against; the
/// settings change at run time (<c>CONFIG SET</c>).
/// </summary>
/// <remarks>
/// Used memory is meant to bound the process, as Redis's bounds its own: the records the silo
/// holds (its keys and the backup copies it keeps for others, counted by the stores as they
/// change, so an eviction shows at once), plus the managed memory the silo lives on besides them
/// (measured after each full collection: the live heap less the records), plus the runtime's
/// memory outside the heap (code, threads, native buffers: the resident size less the heap's
/// committed bytes). The last two are sampled, at most ten times a second. That much is exact and
/// moves with every write and eviction, but the process also holds garbage the collector has
/// not taken back, which can be half as much again while keys are replaced fast: so the sum is
/// scaled by how far the resident size was above it at the last sample (1 to 2 times), and a
/// background collection runs (at most twice a second) while the resident size is within
/// a tenth of the limit or past it. A silo writing far past its limit then keeps fewer keys, and its resident size near the
/// limit; at rest the factor falls back and the keys fill the limit again.
/// </remarks>
public sealed class MemoryLimit
{
    private const long SampleIntervalMs = 100;

    /// <summary>At most one induced collection per this many milliseconds (a limit below what the silo needs would otherwise collect all the time).</summary>
    private const long CollectIntervalMs = 500;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _maxMemory;
    private EvictionPolicy _policy;
    private KeyAccessTable? _access;
    private long _managedBase;
    private long _nativeBytes;
    private long _sampledAtMs = long.MinValue / 2;
    private long _collectedAtMs = long.MinValue / 2;
    private long _fullCollectionSeen = -1;
    private double _residentFactor = 1;
    private long _evictedKeys;

    /// <summary>No limit (the default until configured).</summary>
    public MemoryLimit(TimeProvider time)
        : this(0, EvictionPolicy.NoEviction, time)
    {
    }

    public MemoryLimit(long maxMemory, EvictionPolicy policy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _maxMemory = maxMemory;
        _policy = policy;
        _access = MakeAccessTable(maxMemory, policy);
        _managedBase = GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Redis's <c>maxmemory</c> in bytes; 0 is no limit.</summary>
    public long MaxMemory
    {
        get => Volatile.Read(ref _maxMemory);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_lock)
            {
                Volatile.Write(ref _maxMemory, value);
                if (_access is { } access && access.Size != KeyAccessTable.SizeFor(value))
                {
                    // A table sized for the new limit; the use seen so far starts again.
                    Volatile.Write(ref _access, MakeAccessTable(value, _policy));
                }
            }
        }
    }

    /// <summary>Redis's <c>maxmemory-policy</c>.</summary>
    public EvictionPolicy Policy
    {
        get => _policy;
        set
        {
            lock (_lock)
            {
                if (value.IsLru() != _policy.IsLru() || value.IsLfu() != _policy.IsLfu())
                {
                    // Redis keeps its clock through a switch (and warns the data needs time to
                    // adjust); a fresh table is the same warning, kept honest.
                    Volatile.Write(ref _access, MakeAccessTable(_maxMemory, value));
                }

                _policy = value;
            }
        }
    }

    /// <summary>Redis's <c>maxmemory-samples</c>: keys sampled per eviction.</summary>
    public int Samples { get; set; } = 5;

    /// <summary>Redis's <c>lfu-log-factor</c>.</summary>
    public int LfuLogFactor { get; set; } = 10;

    /// <summary>Redis's <c>lfu-decay-time</c>, in minutes.</summary>
    public int LfuDecayTime { get; set; } = 1;

    /// <summary>The bytes of the records the silo holds (set by the silo's key services).</summary>
    public Func<long>? Records { get; set; }

    /// <summary>Replaces the process's measure (unit tests of eviction count only records).</summary>
    internal Func<long>? UsedMemoryOverride { get; set; }

    /// <summary>The use of keys, kept while the policy ranks keys by it (LRU or LFU).</summary>
    public KeyAccessTable? Access => Volatile.Read(ref _access);

    /// <summary>Keys evicted since the silo started (INFO stats' <c>evicted_keys</c>).</summary>
    public long EvictedKeys => Interlocked.Read(ref _evictedKeys);

    /// <summary>True when a limit is set and the silo's used memory is past it.</summary>
    public bool IsOver => MaxMemory is > 0 and var max && UsedMemory > max;

    /// <summary>The memory the silo counts against <see cref="MaxMemory"/> (INFO's <c>used_memory</c>).</summary>
    public long UsedMemory
    {
        get
        {
            if (UsedMemoryOverride is { } measure)
            {
                return measure();
            }

            var records = Records?.Invoke() ?? 0;
            Sample(records);
            return (long)(Counted(records) * Volatile.Read(ref _residentFactor));
        }
    }

    /// <summary>Records a use of <paramref name="key"/> (a read, or a write; <paramref name="created"/> when it made the key).</summary>
    public void Touch(ReadOnlySpan<byte> key, long nowMs, bool created)
    {
        if (Volatile.Read(ref _access) is { } access)
        {
            access.Touch(key, nowMs, _policy.IsLfu(), created, LfuLogFactor, LfuDecayTime);
        }
    }

    /// <summary>Counts an evicted key.</summary>
    public void Evicted() => Interlocked.Increment(ref _evictedKeys);

    private void Sample(long records)
    {
        var now = _time.GetTimestamp() * 1000 / _time.TimestampFrequency;
        var last = Volatile.Read(ref _sampledAtMs);
        if (now - last < SampleIntervalMs || Interlocked.CompareExchange(ref _sampledAtMs, now, last) != last)
        {
            return;
        }

        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var latest = background.Index > full.Index ? background : full;
        if (latest.Index > 0 && latest.Index != _fullCollectionSeen)
        {
            // What survived the last full collection that is not a record: the silo's own objects.
            _fullCollectionSeen = latest.Index;
            Volatile.Write(ref _managedBase, Math.Max(0, latest.HeapSizeBytes - latest.FragmentedBytes - records));
        }

        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var resident = Environment.WorkingSet;
        Volatile.Write(ref _nativeBytes, Math.Max(0, resident - committed));
        Volatile.Write(ref _residentFactor, Math.Clamp(resident / (double)Math.Max(1, Counted(records)), 1, 2));
        if (MaxMemory is > 0 and var max && resident > max - (max / 10) && now - _collectedAtMs >= CollectIntervalMs)
        {
            _collectedAtMs = now;
            // Give back what evictions and overwrites freed; a background collection, so the silo keeps serving.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
        }
    }

    private long Counted(long records) => records + Volatile.Read(ref _managedBase) + Volatile.Read(ref _nativeBytes);

    private KeyAccessTable? MakeAccessTable(long maxMemory, EvictionPolicy policy) =>
        policy.IsLru() || policy.IsLfu() ? new KeyAccessTable(KeyAccessTable.SizeFor(maxMemory), _time.GetUtcNow().ToUnixTimeMilliseconds()) : null;
}

using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Runtime.Replication;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>What every key grain of the silo shares: storage, the timing wheel, the clock, counters.</summary>
public sealed class KeyGrainServices(
    IRecordStore<KeyRecord> storage,
    TimingWheel wheel,
    TimeProvider time,
    KeyspaceStatistics statistics,
    ReplicationService? replication = null,
    MemoryLimit? memory = null)
{
    public IRecordStore<KeyRecord> Storage { get; } = storage;

    public TimingWheel Wheel { get; } = wheel;

    public TimeProvider Time { get; } = time;

    public KeyspaceStatistics Statistics { get; } = statistics;

    /// <summary>The backup copies of the cluster's slots (null for a store without a cluster).</summary>
    public ReplicationService? Replication { get; } = replication;

    /// <summary>True when writes of <paramref name="slot"/> must reach a backup before they are stored.</summary>
    public bool IsReplicated(int slot) => Replication is { Enabled: true } replication && replication.BackupOf(slot) is not null;

    /// <summary>The silo's maxmemory, eviction policy and the use of keys they rank by.</summary>
    public MemoryLimit Memory { get; } = WithRecords(memory ?? new MemoryLimit(time), storage, replication);

    /// <summary>Who holds each key's turn on this silo.</summary>
    public KeyTurns Turns { get; } = new();

    /// <summary>True while <paramref name="key"/>'s grain has an activation on this silo.</summary>
    public bool IsActive(ReadOnlySpan<byte> key) => Turns.IsActive(key);

    internal async Task ActivatedAsync(byte[] key)
    {
        // A write to the key staged without an activation finishes first (see KeyTurns).
        while (Turns.TryActivate(key) is { } pending)
        {
            await pending;
        }

        Statistics.Activated();
    }

    internal void Deactivated(byte[] key)
    {
        Turns.Deactivated(key);
        Statistics.Deactivated();
    }

    private static MemoryLimit WithRecords(MemoryLimit memory, IRecordStore<KeyRecord> storage, ReplicationService? replication)
    {
        memory.Records = () => storage.Bytes + (replication?.BackupBytes ?? 0);
        return memory;
    }

    /// <summary>The clock in Unix milliseconds, as Redis keeps deadlines.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}

using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>What every key grain of the silo shares: storage, the timing wheel, the clock, counters.</summary>
public sealed class KeyGrainServices(IRecordStore<KeyRecord> storage, TimingWheel wheel, TimeProvider time, KeyspaceStatistics statistics)
{
    public IRecordStore<KeyRecord> Storage { get; } = storage;

    public TimingWheel Wheel { get; } = wheel;

    public TimeProvider Time { get; } = time;

    public KeyspaceStatistics Statistics { get; } = statistics;

    /// <summary>Who holds each key's turn on this silo.</summary>
    public KeyTurns Turns { get; } = new();

    /// <summary>True while <paramref name="key"/>'s grain has an activation on this silo.</summary>
    public bool IsActive(ReadOnlySpan<byte> key) => Turns.IsActive(key);

    internal void Activated(byte[] key)
    {
        Turns.Activated(key);
        Statistics.Activated();
    }

    internal void Deactivated(byte[] key)
    {
        Turns.Deactivated(key);
        Statistics.Deactivated();
    }

    /// <summary>The clock in Unix milliseconds, as Redis keeps deadlines.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}

using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>What every key grain of the silo shares: storage, the timing wheel, the clock, counters.</summary>
public sealed class KeyGrainServices(IGrainStorage<KeyRecord> storage, TimingWheel wheel, TimeProvider time, KeyspaceStatistics statistics)
{
    public IGrainStorage<KeyRecord> Storage { get; } = storage;

    public TimingWheel Wheel { get; } = wheel;

    public TimeProvider Time { get; } = time;

    public KeyspaceStatistics Statistics { get; } = statistics;

    /// <summary>The clock in Unix milliseconds, as Redis keeps deadlines.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}

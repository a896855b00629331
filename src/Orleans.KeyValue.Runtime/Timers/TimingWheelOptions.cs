namespace Orleans.KeyValue.Runtime.Timers;

/// <summary>The silo's timing wheel.</summary>
public sealed class TimingWheelOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "TimingWheel";

    /// <summary>Width of one slot: deadlines fire at most this late (reads are exact anyway).</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Slots in one rotation.</summary>
    public int Slots { get; set; } = 4096;

    /// <summary>
    /// After a burst of at least this many deadlines (mass expiry), once the wheel is quiet
    /// again, run one compacting full garbage collection so the reclaimed keys' memory goes back
    /// to the operating system (reclaiming keys allocates nothing, so no collection would run
    /// on its own). 0 turns it off.
    /// </summary>
    public int CompactAfterDeadlines { get; set; } = 100_000;
}

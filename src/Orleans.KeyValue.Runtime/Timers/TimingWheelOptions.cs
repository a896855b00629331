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
}

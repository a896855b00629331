using System.ComponentModel.DataAnnotations;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>How long key grain activations live (configuration section <c>KeyGrains</c>).</summary>
public sealed class KeyGrainOptions
{
    public const string SectionName = "KeyGrains";

    /// <summary>
    /// An activation idle this long is collected (Orleans's per-class collection age). The
    /// record stays in the store, so this trades memory for the cost of activating a key again:
    /// a hot key keeps its activation, a quiet one costs only its record.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often Orleans looks for idle activations; shorter than <see cref="CollectionAge"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The name Orleans keys per-class collection ages by.</summary>
    public static string GrainClassName => typeof(KeyGrain).FullName!;
}

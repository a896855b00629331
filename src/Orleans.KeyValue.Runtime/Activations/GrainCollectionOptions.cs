namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>Idle activation collection (Orleans: <c>GrainCollectionOptions</c>).</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "GrainCollection";

    /// <summary>An activation idle this long is collected. Its state stays in grain storage.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the collector looks.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(15);
}

namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>Idle activation collection (Orleans: <c>GrainCollectionOptions</c>).</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "GrainCollection";

    /// <summary>An activation idle this long is collected. Its state stays in grain storage.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Key grains keep no state of their own (value, type and deadline live in grain storage), so
    /// by default their activation ends as soon as no call runs or waits: an idle key costs only
    /// its stored record (about 200 bytes less per key than a lasting activation), and concurrent
    /// calls to one key still queue on its one activation. True keeps idle key grains active until
    /// <see cref="CollectionAge"/>, as Orleans does.
    /// </summary>
    public bool KeepIdleKeyGrains { get; set; }

    /// <summary>How often the collector looks.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(15);
}

namespace Orleans.KeyValue.Runtime.Placement;

/// <summary>
/// Places a key grain's activation on the silo that owns its key's Redis Cluster slot (in this
/// silo's <see cref="ClusterView"/>), where its record lives.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("kv.SlotPlacement")]
public sealed class SlotPlacement : PlacementStrategy
{
    internal static readonly SlotPlacement Instance = new();
}

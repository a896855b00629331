using Orleans.Placement;

namespace Orleans.KeyValue.Runtime.Placement;

/// <summary>Places the grain class's activations by <see cref="SlotPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SlotPlacementAttribute() : PlacementAttribute(SlotPlacement.Instance);

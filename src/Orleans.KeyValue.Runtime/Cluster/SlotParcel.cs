namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>
/// One slot on its way to a new owner: its keys, or, when this silo was itself still waiting
/// for them, the silo they come from (<paramref name="AwaitedFrom"/>).
/// </summary>
internal sealed record SlotParcel(int Slot, List<KeyValuePair<byte[], KeyRecord>> Records, SiloAddress? AwaitedFrom);

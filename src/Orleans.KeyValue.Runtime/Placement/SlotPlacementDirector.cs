using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.Runtime.Placement;

namespace Orleans.KeyValue.Runtime.Placement;

/// <summary>
/// Chooses the owner of the key's slot. Placement runs only when a key has no activation; an
/// activation made on a silo that then loses the slot ends at the hand-over.
/// </summary>
public sealed class SlotPlacementDirector(IServiceProvider services) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        // A silo without the store's cluster (a bare grain host, a benchmark) places locally.
        var cluster = services.GetService(typeof(ClusterViewService)) as ClusterViewService;
        var owner = cluster?.View.OwnerOf(KeySlot.Of(KeyGrainFactoryExtensions.KeyOf(target.GrainIdentity)));
        if (owner is not null && silos.Contains(owner))
        {
            return Task.FromResult(owner);
        }

        // No view yet, or the owner cannot host it: here if this silo can, else the first that can.
        return Task.FromResult(silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0]);
    }
}

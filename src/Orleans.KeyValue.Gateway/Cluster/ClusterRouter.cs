using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Replication;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Cluster;

/// <summary>What the gateway needs of the cluster: the view, the slot gates, the silo connection.</summary>
public sealed class ClusterRouter(
    ClusterViewService membership,
    SlotTable slots,
    SiloMessenger transport,
    HandoverService handover,
    ReplicationService replication,
    IOptions<SiloTransportOptions> options)
{
    /// <summary>How many times a command may be forwarded before the client is told to retry.</summary>
    public const int MaxHops = 3;

    public ClusterViewService Membership { get; } = membership;

    public SlotTable Slots { get; } = slots;

    public SiloMessenger Transport { get; } = transport;

    public HandoverService Handover { get; } = handover;

    public ReplicationService Replication { get; } = replication;

    /// <summary>How long a command waits for its owner (forwarding, or a slot in transition).</summary>
    public TimeSpan RequestTimeout { get; } = options.Value.RequestTimeout;

    /// <summary>Commands forwarded to other silos since start.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    internal long _forwarded;
}

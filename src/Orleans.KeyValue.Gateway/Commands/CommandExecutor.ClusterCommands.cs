using System.Security.Cryptography;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

// CLUSTER SLOTS and CLUSTER KEYSLOT, in Redis Cluster's reply shapes, so a cluster-aware client
// (our SDK) can send each command straight to the silo that owns its key. Redis clients that
// are not in cluster mode never ask; INFO keeps cluster_enabled:0 since any silo answers for
// any key (a stale map costs a forward, never a wrong answer).
public sealed partial class CommandExecutor
{
    private ValueTask<KvReply> ClusterKeySlotAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromInteger(KeySlot.Of(request[2])));

    private ValueTask<KvReply> ClusterSlotsAsync(CommandContext context, RespRequest request)
    {
        var ranges = new List<KvReply>();
        if (_cluster is null)
        {
            ranges.Add(SlotRange(0, KeySlot.Count - 1, "127.0.0.1", _options.Port, "standalone"));
            return new(KvReply.FromArray([.. ranges]));
        }

        var view = _cluster.Membership.View;
        var start = 0;
        for (var slot = 1; slot <= KeySlot.Count; slot++)
        {
            var owner = view.OwnerOf(start);
            if (slot < KeySlot.Count && Equals(view.OwnerOf(slot), owner))
            {
                continue;
            }

            if (owner is not null && view.Find(owner) is { } member)
            {
                ranges.Add(SlotRange(start, slot - 1, owner.Endpoint.Address.ToString(), member.GatewayPort, owner.ToString()));
            }

            start = slot;
        }

        return new(KvReply.FromArray([.. ranges]));
    }

    /// <summary>One range: start, end, and the master node as [ip, port, id] (no replicas).</summary>
    private static KvReply SlotRange(int start, int end, string host, int port, string silo) => KvReply.FromArray(
    [
        KvReply.FromInteger(start),
        KvReply.FromInteger(end),
        KvReply.FromArray(
        [
            KvReply.FromBulk(host),
            KvReply.FromInteger(port),
            KvReply.FromBulk(NodeId(silo)),
        ]),
    ]);

    /// <summary>A 40-hex-digit node id, as Redis Cluster's, derived from the silo's address and generation.</summary>
    private static string NodeId(string silo) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(silo)).AsSpan(0, 20));
}

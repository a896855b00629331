using System.Security.Cryptography;
using System.Text;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// CLUSTER SLOTS and CLUSTER KEYSLOT, in Redis Cluster's reply shapes, so a cluster-aware client
/// (our SDK) can send each command straight to the silo that owns its key; and INFO's cluster
/// section. Redis clients that are not in cluster mode never ask; INFO keeps cluster_enabled:0
/// since any silo answers for any key (a stale map costs a forward, never a wrong answer).
/// </summary>
internal sealed class ClusterCommands(RespGatewayOptions options, ClusterRouter? cluster)
{
    public static ValueTask<KvReply> ClusterKeySlotAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromInteger(KeySlot.Of(request[2])));

    public ValueTask<KvReply> ClusterSlotsAsync(CommandContext context, RespRequest request)
    {
        var ranges = new List<KvReply>();
        if (cluster is null)
        {
            ranges.Add(SlotRange(0, KeySlot.Count - 1, "127.0.0.1", context.Session.IsTls && options.TlsPort > 0 ? options.TlsPort : options.AnnouncedPort, "standalone"));
            return new(KvReply.FromArray([.. ranges]));
        }

        var view = cluster.Membership.View;
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
                // As Redis 7 with tls-cluster: a client that came in over TLS is told TLS ports.
                var port = context.Session.IsTls && member.TlsPort > 0 ? member.TlsPort : member.GatewayPort;
                ranges.Add(SlotRange(start, slot - 1, owner.Endpoint.Address.ToString(), port, owner.ToString()));
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

    /// <summary>
    /// INFO's cluster section. <c>cluster_enabled:0</c> as Redis reports it for a server that
    /// does not speak the Redis Cluster protocol (clients must not switch to cluster mode: any
    /// silo answers for any key); the silos follow as <c>silo_N</c> lines.
    /// </summary>
    public void AppendInfo(StringBuilder text)
    {
        text.Append("# Cluster\r\ncluster_enabled:0\r\n");
        if (cluster is null)
        {
            text.Append("\r\n");
            return;
        }

        var membership = cluster.Membership;
        var view = membership.View;
        text.Append("kv_cluster_state:").Append(view.ActiveSilos.Count > 0 ? "ok" : "fail").Append("\r\n")
            .Append("kv_view_version:").Append(view.Version).Append("\r\n")
            .Append("kv_silos_active:").Append(view.ActiveSilos.Count).Append("\r\n")
            .Append("kv_silos_known:").Append(view.Members.Count).Append("\r\n")
            .Append("kv_this_silo:").Append(membership.Me).Append("\r\n")
            .Append("kv_serving:").Append(membership.IsServing ? 1 : 0).Append("\r\n")
            .Append("kv_slots_served:").Append(cluster.Slots.ServedCount).Append("\r\n")
            .Append("kv_slots_waiting:").Append(cluster.Slots.WaitingCount).Append("\r\n")
            .Append("kv_commands_forwarded:").Append(cluster.Forwarded).Append("\r\n")
            .Append("kv_handover_keys_sent:").Append(cluster.Handover.KeysSent).Append("\r\n")
            .Append("kv_handover_keys_received:").Append(cluster.Handover.KeysReceived).Append("\r\n");
        var replication = cluster.Replication;
        text.Append("kv_replicas:").Append(replication.Enabled ? 1 : 0).Append("\r\n")
            .Append("kv_backup_keys:").Append(replication.BackupKeys).Append("\r\n")
            .Append("kv_backup_slots_complete:").Append(replication.CompleteCopies).Append("\r\n")
            .Append("kv_slots_awaiting_fill:").Append(replication.SlotsAwaitingFill).Append("\r\n")
            .Append("kv_writes_replicated:").Append(replication.WritesReplicated).Append("\r\n")
            .Append("kv_writes_backed_up:").Append(replication.WritesBackedUp).Append("\r\n")
            .Append("kv_replication_refused:").Append(replication.Refused).Append("\r\n")
            .Append("kv_backup_keys_filled:").Append(replication.KeysFilled).Append("\r\n")
            .Append("kv_keys_promoted:").Append(replication.KeysPromoted).Append("\r\n");
        var index = 0;
        foreach (var member in view.Members.OrderBy(m => m.StartTime))
        {
            text.Append("silo_").Append(index++).Append(":name=").Append(member.Name)
                .Append(",address=").Append(member.Silo.Endpoint)
                .Append(",gateway_port=").Append(member.GatewayPort)
                .Append(",generation=").Append(member.Silo.Generation)
                .Append(",status=").Append(member.Status.ToString().ToLowerInvariant())
                .Append(",started=").Append(member.StartTime.ToUnixTimeSeconds())
                .Append(",self=").Append(member.Silo.Equals(membership.Me) ? 1 : 0)
                .Append("\r\n");
        }

        text.Append("\r\n");
    }
}

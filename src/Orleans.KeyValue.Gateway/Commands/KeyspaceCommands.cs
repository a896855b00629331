using System.Globalization;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Transport;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The cluster-wide key commands: DBSIZE, FLUSHDB/FLUSHALL, KEYS, SCAN. Each silo runs its part
/// on its own store (<see cref="KeyspaceService"/>) and the replies are combined here.
/// </summary>
internal sealed class KeyspaceCommands(SiloFanOut fanOut, KeyspaceService keyspace)
{
    public async ValueTask<KvReply> DbSizeAsync(CommandContext context, RespRequest request)
    {
        long total = 0;
        foreach (var reply in await fanOut.OnEverySiloAsync(LocalOperation.DbSize))
        {
            if (reply.IsError)
            {
                return reply;
            }

            total += reply.Integer;
        }

        return KvReply.FromInteger(total);
    }

    public async ValueTask<KvReply> FlushAsync(CommandContext context, RespRequest request)
    {
        if (request.Count > 2 || (request.Count == 2 && !Is(request[1], "async"u8) && !Is(request[1], "sync"u8)))
        {
            return KvReply.FromError(ErrorTexts.Syntax);
        }

        // Grains read their state from storage at every call, so clearing storage is enough;
        // deadlines still in the wheel fire later and find nothing. Every silo clears its own.
        foreach (var reply in await fanOut.OnEverySiloAsync(LocalOperation.Flush))
        {
            if (reply.IsError)
            {
                return reply;
            }
        }

        return KvReply.Ok;
    }

    public async ValueTask<KvReply> KeysAsync(CommandContext context, RespRequest request)
    {
        var pattern = request.ToArray(1);
        var found = new List<KvReply>();
        foreach (var reply in await fanOut.OnEverySiloAsync(LocalOperation.Keys, w => w.WriteBytes(pattern)))
        {
            if (reply.IsError)
            {
                return reply;
            }

            found.AddRange(reply.Items!);
        }

        return KvReply.FromArray([.. found]);
    }

    public ValueTask<KvReply> ScanAsync(CommandContext context, RespRequest request)
    {
        if (!ulong.TryParse(request[1], NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) || cursor > long.MaxValue)
        {
            return Replies.Error(ErrorTexts.InvalidCursor);
        }

        byte[]? pattern = null;
        byte[]? type = null;
        long count = 10;
        for (var j = 2; j < request.Count; j++)
        {
            var more = request.Count - j - 1;
            if (Is(request[j], "count"u8) && more >= 1)
            {
                if (!RespNumber.TryParseInt64(request[j + 1], out count))
                {
                    return Replies.Error(ErrorTexts.NotInteger);
                }

                if (count < 1)
                {
                    return Replies.Error(ErrorTexts.Syntax);
                }

                j++;
            }
            else if (Is(request[j], "match"u8) && more >= 1)
            {
                pattern = request.ToArray(j + 1);
                j++;
            }
            else if (Is(request[j], "type"u8) && more >= 1)
            {
                type = request.ToArray(j + 1);
                j++;
            }
            else
            {
                return Replies.Error(ErrorTexts.Syntax);
            }
        }

        return ClusterScanAsync((long)cursor, count, pattern, type);
    }

    /// <summary>
    /// Cluster SCAN: the cursor is a position in slot order (slot, position in the slot), so it
    /// stays valid across silos; each step asks the owner of the cursor's slot to walk on
    /// through the slots it serves. Keys present for the whole scan are returned; keys of a slot
    /// that moves during the scan may be missed or repeated, as with Redis Cluster.
    /// </summary>
    private async ValueTask<KvReply> ClusterScanAsync(long cursor, long count, byte[]? pattern, byte[]? type)
    {
        var found = new List<KvReply>();
        var steps = 0;
        do
        {
            var slot = (int)Math.Min((ulong)cursor >> 32, KeySlot.Count - 1);
            var owner = fanOut.RemoteOwnerOf(slot);
            var wanted = (int)Math.Min(count - found.Count, 1_000_000);
            KvReply step;
            var finished = false;
            if (owner is null)
            {
                step = keyspace.Scan(cursor, wanted, pattern, type);

                // From cursor 0 a walk that reached the end also answers 0: that is the end of
                // the scan, not a slot in transition, when this silo serves the cursor's slot
                // (else a one-silo SCAN 0 walked everything twice).
                finished = step.Items![0].Integer == 0 && keyspace.Serves(slot);
            }
            else
            {
                step = await fanOut.SendAsync(owner, ScanPayload(cursor, wanted, pattern, type));
                if (step.IsError)
                {
                    return step;
                }
            }

            var next = step.Items![0].Integer;
            found.AddRange(step.Items[1].Items!);
            if (next == cursor && !finished)
            {
                // The slot is in transition (no silo serves it right now): step over it.
                next = slot + 1 >= KeySlot.Count ? 0 : (long)(slot + 1) << 32;
            }

            cursor = next;
        }
        while (cursor != 0 && found.Count < count && ++steps < 64);

        return KvReply.FromArray(
        [
            KvReply.FromBulk(cursor.ToString(CultureInfo.InvariantCulture)),
            KvReply.FromArray([.. found]),
        ]);
    }

    private static ReadOnlyMemory<byte> ScanPayload(long cursor, int count, byte[]? pattern, byte[]? type)
    {
        var payload = new WireWriter();
        payload.WriteByte((byte)LocalOperation.Scan);
        payload.WriteInt64(cursor);
        payload.WriteInt32(count);
        payload.WriteByte(pattern is null ? (byte)0 : (byte)1);
        if (pattern is not null)
        {
            payload.WriteBytes(pattern);
        }

        payload.WriteByte(type is null ? (byte)0 : (byte)1);
        if (type is not null)
        {
            payload.WriteBytes(type);
        }

        return payload.Written;
    }
}

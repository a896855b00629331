using System.Text;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Cluster;

/// <summary>Replies on the silo connection: kind, then the kind's fields; arrays recursively.</summary>
public static class KvReplyCodec
{
    public static void Write(WireWriter writer, in KvReply reply)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte((byte)reply.Kind);
        switch (reply.Kind)
        {
            case KvReplyKind.Integer:
                writer.WriteInt64(reply.Integer);
                break;
            case KvReplyKind.Bulk or KvReplyKind.Verbatim:
                writer.WriteBytes(reply.Bytes.Span);
                break;
            case KvReplyKind.Status or KvReplyKind.Error:
                writer.WriteString(reply.Text);
                break;
            case KvReplyKind.Array or KvReplyKind.Map or KvReplyKind.Set or KvReplyKind.Pairs:
                var items = reply.Items ?? [];
                writer.WriteInt32(items.Length);
                foreach (var item in items)
                {
                    Write(writer, item);
                }

                break;
        }
    }

    public static KvReply Read(WireReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = (KvReplyKind)reader.ReadByte();
        switch (kind)
        {
            case KvReplyKind.Nil:
                return KvReply.Nil;
            case KvReplyKind.NilArray:
                return KvReply.NilArray;
            case KvReplyKind.Ok:
                return KvReply.Ok;
            case KvReplyKind.Integer:
                return KvReply.FromInteger(reader.ReadInt64());
            case KvReplyKind.Bulk:
                return KvReply.FromBulk(reader.ReadBytes());
            case KvReplyKind.Verbatim:
                return KvReply.FromVerbatim(Encoding.UTF8.GetString(reader.ReadBytes()));
            case KvReplyKind.Status:
                return KvReply.FromStatus(reader.ReadString() ?? string.Empty);
            case KvReplyKind.Error:
                return KvReply.FromError(reader.ReadString() ?? "ERR");
            case KvReplyKind.Array or KvReplyKind.Map or KvReplyKind.Set or KvReplyKind.Pairs:
                var count = reader.ReadInt32();
                if (count < 0 || count > 100_000_000)
                {
                    throw new InvalidDataException("Bad array length in a forwarded reply.");
                }

                var items = new KvReply[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = Read(reader);
                }

                return kind switch
                {
                    KvReplyKind.Map => KvReply.FromMap(items),
                    KvReplyKind.Set => KvReply.FromSet(items),
                    KvReplyKind.Pairs => KvReply.FromPairs(items),
                    _ => KvReply.FromArray(items),
                };
            default:
                throw new InvalidDataException($"Unknown reply kind {kind} in a forwarded reply.");
        }
    }

    /// <summary>One reply as a message payload.</summary>
    public static byte[] ToBytes(in KvReply reply)
    {
        var writer = new WireWriter();
        Write(writer, reply);
        return writer.ToArray();
    }
}

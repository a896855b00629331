using System.Buffers;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>Writes a <see cref="KvReply"/> in the client's protocol version.</summary>
internal static class ReplyWriter
{
    public static void Write(IBufferWriter<byte> writer, in KvReply reply, int protocol)
    {
        switch (reply.Kind)
        {
            case KvReplyKind.Ok:
                RespWriter.WriteOk(writer);
                break;
            case KvReplyKind.Nil:
                RespWriter.WriteNull(writer, protocol);
                break;
            case KvReplyKind.NilArray:
                RespWriter.WriteNullArray(writer, protocol);
                break;
            case KvReplyKind.Status:
                RespWriter.WriteSimpleString(writer, reply.Text ?? string.Empty);
                break;
            case KvReplyKind.Error:
                RespWriter.WriteError(writer, reply.Text ?? "ERR");
                break;
            case KvReplyKind.Integer:
                RespWriter.WriteInteger(writer, reply.Integer);
                break;
            case KvReplyKind.Bulk:
                RespWriter.WriteBulk(writer, reply.Bytes.Span);
                break;
            case KvReplyKind.Verbatim:
                RespWriter.WriteVerbatim(writer, reply.Bytes.Span, protocol);
                break;
            case KvReplyKind.Array:
                WriteItems(writer, reply.Items, protocol, static (w, n, _) => RespWriter.WriteArrayHeader(w, n));
                break;
            case KvReplyKind.Set:
                WriteItems(writer, reply.Items, protocol, static (w, n, p) => RespWriter.WriteSetHeader(w, n, p));
                break;
            case KvReplyKind.Map:
                WriteItems(writer, reply.Items, protocol, static (w, n, p) => RespWriter.WriteMapHeader(w, n / 2, p));
                break;
            case KvReplyKind.Pairs when protocol >= 3:
                WriteItems(writer, reply.Items, protocol, static (w, n, _) => RespWriter.WriteArrayHeader(w, n));
                break;
            case KvReplyKind.Pairs:
                WriteItems(writer, [.. (reply.Items ?? []).SelectMany(pair => pair.Items ?? [])], protocol, static (w, n, _) => RespWriter.WriteArrayHeader(w, n));
                break;
            default:
                throw new InvalidOperationException($"Unknown reply kind {reply.Kind}.");
        }
    }

    private static void WriteItems(IBufferWriter<byte> writer, KvReply[]? items, int protocol, Action<IBufferWriter<byte>, int, int> header)
    {
        items ??= [];
        header(writer, items.Length, protocol);
        foreach (var item in items)
        {
            Write(writer, item, protocol);
        }
    }
}

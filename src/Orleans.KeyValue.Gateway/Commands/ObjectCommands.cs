using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// OBJECT ENCODING, REFCOUNT and FREQ: Redis's answers for what a key holds, read from its value
/// (see the README for where Redis's answer depends on the key's history instead).
/// </summary>
internal sealed class ObjectCommands(KeyCaller keys)
{
    // Redis 7.0's limits for small encodings (OBJ_ENCODING_EMBSTR_SIZE_LIMIT, hash-max-listpack-*).
    private const int EmbeddedStringLimit = 44;
    private const int ListpackEntries = 512;
    private const int ListpackValue = 64;
    private const int SharedIntegers = 10_000;
    private const long SharedRefCount = int.MaxValue;

    public async ValueTask<KvReply> EncodingAsync(CommandContext context, RespRequest request)
    {
        var (kind, value) = await ReadAsync(context, request);
        return kind switch
        {
            "string" => KvReply.FromBulk(StringEncoding(value.Bytes.Span)),
            "hash" => KvReply.FromBulk(IsSmallHash(value) ? "listpack" : "hashtable"),
            null => value,
            _ => KvReply.Nil,
        };
    }

    /// <summary>OBJECT REFCOUNT: Redis shares the integers 0 to 9999 it keeps as int (a huge count), every other value has one.</summary>
    public async ValueTask<KvReply> RefCountAsync(CommandContext context, RespRequest request)
    {
        var (kind, value) = await ReadAsync(context, request);
        return kind switch
        {
            "string" when RespNumber.TryParseInt64(value.Bytes.Span, out var n) && n is >= 0 and < SharedIntegers => KvReply.FromInteger(SharedRefCount),
            "string" or "hash" => KvReply.One,
            null => value,
            _ => KvReply.Nil,
        };
    }

    public static ValueTask<KvReply> FreqAsync(CommandContext context, RespRequest request) =>
        Replies.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");

    /// <summary>The key's type and value (GET or HGETALL); a null type with the error, or "none".</summary>
    private async ValueTask<(string? Kind, KvReply Value)> ReadAsync(CommandContext context, RespRequest request)
    {
        var type = await keys.InvokeAsync(context, request[2], default(TypeCall));
        if (type.IsError)
        {
            return (null, type);
        }

        var value = type.Text switch
        {
            "string" => await keys.InvokeAsync(context, request[2], default(GetCall)),
            "hash" => await keys.InvokeAsync(context, request[2], new HashCall(new HashRequest(HashOperation.GetAll, []))),
            _ => KvReply.Nil,
        };

        // Changed between the two reads: read as it is now.
        return value.IsError ? (null, value) : (value.Kind == KvReplyKind.Nil ? "none" : type.Text, value);
    }

    /// <summary>What Redis's SET makes of a value (tryObjectEncoding): int, embstr up to 44 bytes, raw beyond.</summary>
    private static byte[] StringEncoding(ReadOnlySpan<byte> value) =>
        value.Length <= 20 && RespNumber.TryParseInt64(value, out _) ? "int"u8.ToArray()
        : value.Length <= EmbeddedStringLimit ? "embstr"u8.ToArray()
        : "raw"u8.ToArray();

    private static bool IsSmallHash(KvReply all)
    {
        var items = all.Items ?? [];
        return items.Length / 2 <= ListpackEntries && items.All(i => i.Bytes.Length <= ListpackValue);
    }
}

using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// OBJECT ENCODING, REFCOUNT, FREQ and IDLETIME: Redis's answers for what a key holds, read from
/// its value (see the README for where Redis's answer depends on the key's history instead), and
/// its use as the eviction policy keeps it. A command on a key runs where the key's slot lives,
/// so FREQ and IDLETIME read that silo's table; they look at the record without counting a use,
/// as Redis's OBJECT does.
/// </summary>
internal sealed class ObjectCommands(KeyCaller keys, KeyGrainServices services)
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

    /// <summary>OBJECT FREQ: the key's LFU counter, under an LFU policy (Redis's error otherwise); nil for no key.</summary>
    public ValueTask<KvReply> FreqAsync(CommandContext context, RespRequest request)
    {
        var memory = services.Memory;
        if (!Exists(request[2]))
        {
            return new(KvReply.Nil);
        }

        return memory.Policy.IsLfu() && memory.Access is { } access
            ? new(KvReply.FromInteger(access.FrequencyOf(request[2], services.NowMs, memory.LfuDecayTime)))
            : Replies.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }

    /// <summary>
    /// OBJECT IDLETIME: seconds since the key's last use, under an LRU policy; Redis's error under
    /// an LFU one. Redis keeps the clock under every other policy too; here only an LRU policy
    /// keeps it, so the others answer an error of ours.
    /// </summary>
    public ValueTask<KvReply> IdleTimeAsync(CommandContext context, RespRequest request)
    {
        var memory = services.Memory;
        if (!Exists(request[2]))
        {
            return new(KvReply.Nil);
        }

        if (memory.Policy.IsLfu())
        {
            return Replies.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        }

        return memory.Access is { } access
            ? new(KvReply.FromInteger(access.IdleMsOf(request[2], services.NowMs) / 1000))
            : Replies.Error("ERR idle time is tracked here only under an LRU maxmemory-policy (allkeys-lru or volatile-lru).");
    }

    private bool Exists(ReadOnlySpan<byte> key) =>
        services.Storage.TryRead(key, out var record) && record.Exists && !record.IsExpiredAt(services.NowMs);

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

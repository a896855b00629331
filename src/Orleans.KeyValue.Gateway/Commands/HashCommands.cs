using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The hash commands (Redis 7.0's @hash category): each runs in its key's turn, so each is atomic
/// for its key, as in Redis. Arguments Redis checks before it looks at the key are checked here.
/// </summary>
internal sealed class HashCommands(KeyCaller keys)
{
    private static readonly KvReply EmptyScan = KvReply.FromArray([KvReply.FromBulk("0"u8.ToArray()), KvReply.FromArray([])]);

    public ValueTask<KvReply> HSetAsync(CommandContext context, RespRequest request) =>
        Pairs(context, request, HashOperation.Set, "hset");

    public ValueTask<KvReply> HMSetAsync(CommandContext context, RespRequest request) =>
        Pairs(context, request, HashOperation.SetAll, "hmset");

    public ValueTask<KvReply> HSetNxAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.SetIfNew, [request.ToArray(2), request.ToArray(3)]));

    public ValueTask<KvReply> HGetAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Get, [request.ToArray(2)]));

    public ValueTask<KvReply> HMGetAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.GetMany, Rest(request, 2)));

    public ValueTask<KvReply> HDelAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Delete, Rest(request, 2)));

    public ValueTask<KvReply> HExistsAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Exists, [request.ToArray(2)]));

    public ValueTask<KvReply> HGetAllAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.GetAll, []));

    public ValueTask<KvReply> HKeysAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Keys, []));

    public ValueTask<KvReply> HValsAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Values, []));

    public ValueTask<KvReply> HLenAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.Length, []));

    public ValueTask<KvReply> HStrLenAsync(CommandContext context, RespRequest request) =>
        Hash(context, request, new HashRequest(HashOperation.ValueLength, [request.ToArray(2)]));

    public ValueTask<KvReply> HIncrByAsync(CommandContext context, RespRequest request) =>
        RespNumber.TryParseInt64(request[3], out var increment)
            ? Hash(context, request, new HashRequest(HashOperation.IncrementBy, [request.ToArray(2)], increment))
            : Replies.Error(ErrorTexts.NotInteger);

    /// <summary>HINCRBYFLOAT: the increment must be a finite float before the key is looked at (Redis 7.0).</summary>
    public ValueTask<KvReply> HIncrByFloatAsync(CommandContext context, RespRequest request)
    {
        if (!Grains.Keys.LongDouble.TryParse(request[3], out var increment))
        {
            return Replies.Error(Grains.ErrorReplies.NotFloat);
        }

        if (increment.IsInfinity)
        {
            return Replies.Error("ERR value is NaN or Infinity");
        }

        return Hash(context, request, new HashRequest(HashOperation.IncrementByFloat, [request.ToArray(2), request.ToArray(3)]));
    }

    /// <summary>HRANDFIELD key [count [WITHVALUES]].</summary>
    public ValueTask<KvReply> HRandFieldAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return Hash(context, request, new HashRequest(HashOperation.RandomField, []));
        }

        if (!RespNumber.TryParseInt64(request[2], out var count))
        {
            return Replies.Error(ErrorTexts.NotInteger);
        }

        if (count == long.MinValue)
        {
            // Redis's getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) (found by bench/fuzz.sh).
            return Replies.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }

        if (request.Count > 4 || (request.Count == 4 && !Is(request[3], "withvalues"u8)))
        {
            return Replies.Error(ErrorTexts.Syntax);
        }

        var withValues = request.Count == 4;
        if (withValues && (count < -(long.MaxValue / 2) || count > long.MaxValue / 2))
        {
            return Replies.Error("ERR value is out of range");
        }

        return Hash(context, request, new HashRequest(HashOperation.RandomField, [], count, HasCount: true, WithValues: withValues));
    }

    /// <summary>
    /// HSCAN key cursor [MATCH pattern] [COUNT count]: as Redis answers for a small (listpack)
    /// hash, every matching field and value in one reply with cursor 0. The cursor is checked
    /// first, then the key, then the options, in Redis's order.
    /// </summary>
    public async ValueTask<KvReply> HScanAsync(CommandContext context, RespRequest request)
    {
        if (!TryParseCursor(request[2]))
        {
            return KvReply.FromError(ErrorTexts.InvalidCursor);
        }

        var all = await Hash(context, request, new HashRequest(HashOperation.GetAll, []));
        if (all.IsError)
        {
            return all;
        }

        var entries = all.Items ?? [];
        if (entries.Length == 0)
        {
            return EmptyScan;
        }

        byte[]? pattern = null;
        for (var i = 3; i < request.Count; i++)
        {
            var more = request.Count - i - 1;
            if (Is(request[i], "count"u8) && more >= 1)
            {
                if (!RespNumber.TryParseInt64(request[i + 1], out var count))
                {
                    return KvReply.FromError(ErrorTexts.NotInteger);
                }

                if (count < 1)
                {
                    return KvReply.FromError(ErrorTexts.Syntax);
                }

                i++;
            }
            else if (Is(request[i], "match"u8) && more >= 1)
            {
                pattern = request.ToArray(++i);
            }
            else
            {
                return KvReply.FromError(ErrorTexts.Syntax);
            }
        }

        var found = new List<KvReply>(entries.Length);
        for (var i = 0; i + 1 < entries.Length; i += 2)
        {
            if (pattern is null || (pattern is [(byte)'*']) || GlobPattern.IsMatch(pattern, entries[i].Bytes.Span))
            {
                found.Add(entries[i]);
                found.Add(entries[i + 1]);
            }
        }

        return KvReply.FromArray([KvReply.FromBulk("0"u8.ToArray()), KvReply.FromArray([.. found])]);
    }

    /// <summary>
    /// Redis's parseScanCursorOrReply: what strtoul reads, all of it: an optional sign (a
    /// negative cursor wraps), digits (none reads as 0), no leading space, no overflow.
    /// </summary>
    private static bool TryParseCursor(ReadOnlySpan<byte> text)
    {
        var position = 0;
        if (text.Length > 0 && text[0] is (byte)'+' or (byte)'-')
        {
            position = 1;
        }

        var digits = text[position..];
        if (position == 1 && digits.IsEmpty)
        {
            return false;
        }

        ulong value = 0;
        foreach (var b in digits)
        {
            var digit = (uint)(b - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    private ValueTask<KvReply> Pairs(CommandContext context, RespRequest request, HashOperation operation, string name) =>
        request.Count % 2 == 1
            ? Replies.Error(ErrorTexts.WrongArity(name))
            : Hash(context, request, new HashRequest(operation, Rest(request, 2)));

    private ValueTask<KvReply> Hash(CommandContext context, RespRequest request, HashRequest call) =>
        keys.InvokeAsync(context, request[1], new HashCall(call));

    private static byte[][] Rest(RespRequest request, int from)
    {
        var rest = new byte[request.Count - from][];
        for (var i = from; i < request.Count; i++)
        {
            rest[i - from] = request.ToArray(i);
        }

        return rest;
    }
}

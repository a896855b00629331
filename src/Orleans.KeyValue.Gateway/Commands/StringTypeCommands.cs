using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The rest of Redis's @string category: APPEND, INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT,
/// GETRANGE, SUBSTR, SETRANGE, STRLEN, GETSET (one key each, run in the key's turn), and MGET,
/// MSET, MSETNX, LCS over several keys.
/// </summary>
/// <remarks>
/// How atomic the multi-key commands are here. On a cluster MGET and MSET split by slot (each
/// slot's share runs on its owner; across slots nothing is atomic, as in Redis Cluster where a
/// client sends one command per slot); MSETNX and LCS need one slot (else CROSSSLOT). Within a
/// slot they run with the slot held for them alone (<see cref="SlotTurn"/>): no other command of
/// the slot comes between their reads and writes, and their writes go to the backup together
/// and are stored only if it took them all, so within a slot they are atomic and all-or-nothing,
/// as in Redis. Without a cluster (a bare gateway in tests) they take per-slot locks instead.
/// </remarks>
internal sealed class StringTypeCommands(KeyCaller keys, RespGatewayOptions gateway, SlotTurn? slotTurn)
{
    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(5);

    // "The specified keys must contain string values" (Redis 7.0's lcsCommand).
    private const string LcsNotString = "ERR The specified keys must contain string values";
    private const string LcsLenAndIdx = "ERR If you want both the length and indexes, please just use IDX.";
    private const string LcsTooLarge = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    private const string DecrementOverflow = "ERR decrement would overflow";

    private readonly SlotLocks _slotLocks = new();

    public ValueTask<KvReply> AppendAsync(CommandContext context, RespRequest request) =>
        String(context, request, new StringRequest(StringOperation.Append, Value: request.ToArray(2), MaxLength: gateway.MaxBulkLength));

    public ValueTask<KvReply> IncrAsync(CommandContext context, RespRequest request) =>
        String(context, request, new StringRequest(StringOperation.IncrementBy, 1));

    public ValueTask<KvReply> DecrAsync(CommandContext context, RespRequest request) =>
        String(context, request, new StringRequest(StringOperation.IncrementBy, -1));

    public ValueTask<KvReply> IncrByAsync(CommandContext context, RespRequest request) =>
        RespNumber.TryParseInt64(request[2], out var increment)
            ? String(context, request, new StringRequest(StringOperation.IncrementBy, increment))
            : Replies.Error(ErrorTexts.NotInteger);

    public ValueTask<KvReply> DecrByAsync(CommandContext context, RespRequest request)
    {
        if (!RespNumber.TryParseInt64(request[2], out var decrement))
        {
            return Replies.Error(ErrorTexts.NotInteger);
        }

        return decrement == long.MinValue
            ? Replies.Error(DecrementOverflow)
            : String(context, request, new StringRequest(StringOperation.IncrementBy, -decrement));
    }

    // The increment is parsed in the key's turn, after the stored value, as Redis orders the checks.
    public ValueTask<KvReply> IncrByFloatAsync(CommandContext context, RespRequest request) =>
        String(context, request, new StringRequest(StringOperation.IncrementByFloat, Value: request.ToArray(2)));

    /// <summary>GETRANGE and SUBSTR: both bounds are integers before the key is looked at.</summary>
    public ValueTask<KvReply> GetRangeAsync(CommandContext context, RespRequest request) =>
        RespNumber.TryParseInt64(request[2], out var start) && RespNumber.TryParseInt64(request[3], out var end)
            ? String(context, request, new StringRequest(StringOperation.GetRange, start, end))
            : Replies.Error(ErrorTexts.NotInteger);

    public ValueTask<KvReply> SetRangeAsync(CommandContext context, RespRequest request) =>
        RespNumber.TryParseInt64(request[2], out var offset)
            ? String(context, request, new StringRequest(StringOperation.SetRange, offset, Value: request.ToArray(3), MaxLength: gateway.MaxBulkLength))
            : Replies.Error(ErrorTexts.NotInteger);

    public ValueTask<KvReply> StrLenAsync(CommandContext context, RespRequest request) =>
        String(context, request, new StringRequest(StringOperation.Length));

    /// <summary>GETSET: SET with GET, which also drops the key's deadline.</summary>
    public ValueTask<KvReply> GetSetAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], new SetCall(new SetRequest(request.ToArray(2), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: true)));

    /// <summary>MGET: each key's string, nil for a missing key or one of another type.</summary>
    public async ValueTask<KvReply> MGetAsync(CommandContext context, RespRequest request)
    {
        if (slotTurn is not null && !context.InScript && OneSlot(request, 1, 1) is { } slot)
        {
            return await slotTurn.RunAsync(slot, held => KvReply.FromArray([.. Enumerable.Range(1, request.Count - 1).Select(i =>
            {
                var reply = held.Find(request[i])!.Get();
                return reply.IsError ? KvReply.Nil : reply;
            })]), SlotWait);
        }

        var values = new KvReply[request.Count - 1];
        for (var i = 1; i < request.Count; i++)
        {
            var reply = await keys.InvokeAsync(context, request[i], default(GetCall));
            if (reply.IsError && reply.Text != Grains.ErrorReplies.WrongType)
            {
                return reply;
            }

            values[i - 1] = reply.IsError ? KvReply.Nil : reply;
        }

        return KvReply.FromArray(values);
    }

    public ValueTask<KvReply> MSetAsync(CommandContext context, RespRequest request) =>
        MultiSetAsync(context, request, onlyIfNoneExists: false, "mset");

    public ValueTask<KvReply> MSetNxAsync(CommandContext context, RespRequest request) =>
        MultiSetAsync(context, request, onlyIfNoneExists: true, "msetnx");

    /// <summary>
    /// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] (Redis 7.0's lcsCommand): both
    /// keys first (missing counts as empty, another type is an error), then the options, then the table.
    /// </summary>
    public async ValueTask<KvReply> LcsAsync(CommandContext context, RespRequest request)
    {
        KvReply first, second;
        if (slotTurn is not null && !context.InScript && OneSlot(request, 1, 1, last: 2) is { } slot)
        {
            // Both read in one hold of the slot; the table is built after it is let go.
            (first, second) = (default, default);
            var held = await slotTurn.RunAsync(slot, slotKeys =>
            {
                first = slotKeys.Find(request[1])!.Get();
                second = slotKeys.Find(request[2])!.Get();
                return KvReply.Ok;
            }, SlotWait);
            if (held.IsError)
            {
                return held;
            }
        }
        else
        {
            first = await keys.InvokeAsync(context, request[1], default(GetCall));
            second = await keys.InvokeAsync(context, request[2], default(GetCall));
        }

        foreach (var reply in (ReadOnlySpan<KvReply>)[first, second])
        {
            if (reply.IsError)
            {
                return reply.Text == Grains.ErrorReplies.WrongType ? KvReply.FromError(LcsNotString) : reply;
            }
        }

        bool length = false, indexes = false, withMatchLength = false;
        long minMatchLength = 0;
        for (var i = 3; i < request.Count; i++)
        {
            var option = request[i];
            var more = request.Count - i - 1;
            if (Is(option, "idx"u8))
            {
                indexes = true;
            }
            else if (Is(option, "len"u8))
            {
                length = true;
            }
            else if (Is(option, "withmatchlen"u8))
            {
                withMatchLength = true;
            }
            else if (Is(option, "minmatchlen"u8) && more > 0)
            {
                if (!RespNumber.TryParseInt64(request[++i], out minMatchLength))
                {
                    return KvReply.FromError(ErrorTexts.NotInteger);
                }

                minMatchLength = Math.Max(minMatchLength, 0);
            }
            else
            {
                return KvReply.FromError(ErrorTexts.Syntax);
            }
        }

        if (indexes && length)
        {
            return KvReply.FromError(LcsLenAndIdx);
        }

        var a = first.Bytes;
        var b = second.Bytes;
        if ((long)(a.Length + 1) * (b.Length + 1) * sizeof(uint) > gateway.MaxBulkLength)
        {
            return KvReply.FromError(LcsTooLarge);
        }

        return LongestCommonSubsequence.Reply(a.Span, b.Span, length, indexes, withMatchLength, minMatchLength);
    }

    private ValueTask<KvReply> String(CommandContext context, RespRequest request, StringRequest call) =>
        keys.InvokeAsync(context, request[1], new StringCall(call));

    private ValueTask<KvReply> MultiSetAsync(CommandContext context, RespRequest request, bool onlyIfNoneExists, string name)
    {
        if (request.Count % 2 == 0)
        {
            return Replies.Error(ErrorTexts.WrongArity(name));
        }

        if (context.InScript)
        {
            // Inside a script's turn: the keys are the script's own key (KeyCaller refuses any
            // other), so checking and writing in this turn is atomic, and no lock may be awaited.
            return CheckAndWriteAsync(context, request, onlyIfNoneExists);
        }

        if (slotTurn is not null && OneSlot(request, 1, 2) is { } one)
        {
            return slotTurn.RunAsync(one, held => CheckAndWrite(held, request, onlyIfNoneExists), SlotWait);
        }

        var slots = new SortedSet<int>();
        for (var i = 1; i < request.Count; i += 2)
        {
            slots.Add(KeySlot.Of(request[i]));
        }

        return CheckAndWriteLockedAsync(context, request, onlyIfNoneExists, slots);
    }

    /// <summary>MSET/MSETNX with the slot held: the same checks and writes, each key's operations at hand.</summary>
    private static KvReply CheckAndWrite(Grains.Keys.SlotKeys held, RespRequest request, bool onlyIfNoneExists)
    {
        if (onlyIfNoneExists)
        {
            for (var i = 1; i < request.Count; i += 2)
            {
                if (held.Find(request[i])!.Exists() == 1)
                {
                    return KvReply.Zero;
                }
            }
        }

        for (var i = 1; i < request.Count; i += 2)
        {
            var reply = held.Find(request[i])!.Set(new SetRequest(request.ToArray(i + 1), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false));
            if (reply.IsError)
            {
                return reply;
            }
        }

        return onlyIfNoneExists ? KvReply.One : KvReply.Ok;
    }

    /// <summary>The one slot of the keys at <paramref name="first"/>, first + step, ... (up to <paramref name="last"/>, else the end), or null when they span several.</summary>
    internal static int? OneSlot(RespRequest request, int first, int step, int last = int.MaxValue)
    {
        var slot = KeySlot.Of(request[first]);
        return CommandKeys.SameSlot(request, first + step, Math.Min(last, request.Count - 1), step, slot) ? slot : null;
    }

    private async ValueTask<KvReply> CheckAndWriteLockedAsync(CommandContext context, RespRequest request, bool onlyIfNoneExists, SortedSet<int> slots)
    {
        // In slot order, so that two of these never wait for each other.
        var held = new List<int>(slots.Count);
        try
        {
            foreach (var slot in slots)
            {
                await _slotLocks.EnterAsync(slot);
                held.Add(slot);
            }

            return await CheckAndWriteAsync(context, request, onlyIfNoneExists);
        }
        finally
        {
            foreach (var slot in held)
            {
                _slotLocks.Exit(slot);
            }
        }
    }

    /// <summary>MSETNX: no key may exist (any type counts); then every pair in order, a repeated key ending with its last value.</summary>
    private async ValueTask<KvReply> CheckAndWriteAsync(CommandContext context, RespRequest request, bool onlyIfNoneExists)
    {
        if (onlyIfNoneExists)
        {
            for (var i = 1; i < request.Count; i += 2)
            {
                var exists = await keys.InvokeAsync(context, request[i], default(ExistsCall));
                if (exists.IsError)
                {
                    return exists;
                }

                if (exists.Integer == 1)
                {
                    return KvReply.Zero;
                }
            }
        }

        for (var i = 1; i < request.Count; i += 2)
        {
            var set = new SetRequest(request.ToArray(i + 1), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false);
            var reply = await keys.InvokeAsync(context, request[i], new SetCall(set));
            if (reply.IsError)
            {
                return reply;
            }
        }

        return onlyIfNoneExists ? KvReply.One : KvReply.Ok;
    }
}

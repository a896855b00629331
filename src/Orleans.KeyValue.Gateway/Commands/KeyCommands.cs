using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Generic key commands: DEL (and UNLINK), EXISTS, the EXPIRE family, TTL family, PERSIST, TYPE.</summary>
internal sealed class KeyCommands(KeyCaller keys, KeyGrainServices clock)
{
    public ValueTask<KvReply> DelAsync(CommandContext context, RespRequest request) =>
        SumOverKeys(context, request, default(DeleteCall));

    public ValueTask<KvReply> ExistsAsync(CommandContext context, RespRequest request) =>
        SumOverKeys(context, request, default(ExistsCall));

    /// <summary>
    /// DEL and EXISTS of several keys: one call per key (each key is its own grain), replies
    /// summed. Synchronous while every grain answers at once; otherwise the rest is awaited.
    /// </summary>
    private ValueTask<KvReply> SumOverKeys<TCall>(CommandContext context, RespRequest request, TCall call)
        where TCall : struct, IKeyCall
    {
        long total = 0;
        for (var i = 1; i < request.Count; i++)
        {
            var pending = keys.InvokeAsync(context, request[i], call);
            if (!pending.IsCompletedSuccessfully)
            {
                return SumRestAsync(context, request, call, i, total, pending);
            }

            var reply = pending.Result;
            if (reply.IsError)
            {
                return new(reply);
            }

            total += reply.Integer;
        }

        return new(KvReply.FromInteger(total));
    }

    private async ValueTask<KvReply> SumRestAsync<TCall>(CommandContext context, RespRequest request, TCall call, int index, long total, ValueTask<KvReply> pending)
        where TCall : struct, IKeyCall
    {
        // The request buffer stays untouched until this command's reply is written.
        var reply = await pending;
        while (true)
        {
            if (reply.IsError)
            {
                return reply;
            }

            total += reply.Integer;
            if (++index >= request.Count)
            {
                return KvReply.FromInteger(total);
            }

            reply = await keys.InvokeAsync(context, request[index], call);
        }
    }

    public ValueTask<KvReply> ExpireAsync(CommandContext context, RespRequest request) => ExpireGeneric(context, request, relative: true, seconds: true, "expire");

    public ValueTask<KvReply> PExpireAsync(CommandContext context, RespRequest request) => ExpireGeneric(context, request, relative: true, seconds: false, "pexpire");

    public ValueTask<KvReply> ExpireAtAsync(CommandContext context, RespRequest request) => ExpireGeneric(context, request, relative: false, seconds: true, "expireat");

    public ValueTask<KvReply> PExpireAtAsync(CommandContext context, RespRequest request) => ExpireGeneric(context, request, relative: false, seconds: false, "pexpireat");

    /// <summary>Redis's <c>expireGenericCommand</c>: options first, then the time with its overflow checks.</summary>
    private ValueTask<KvReply> ExpireGeneric(CommandContext context, RespRequest request, bool relative, bool seconds, string command)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (var j = 3; j < request.Count; j++)
        {
            var option = request[j];
            if (Is(option, "nx"u8))
            {
                nx = true;
            }
            else if (Is(option, "xx"u8))
            {
                xx = true;
            }
            else if (Is(option, "gt"u8))
            {
                gt = true;
            }
            else if (Is(option, "lt"u8))
            {
                lt = true;
            }
            else
            {
                return Replies.Error(ErrorTexts.UnsupportedOption(option));
            }
        }

        if (nx && (xx || gt || lt))
        {
            return Replies.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }

        if (gt && lt)
        {
            return Replies.Error("ERR GT and LT options at the same time are not compatible");
        }

        if (!RespNumber.TryParseInt64(request[2], out var when))
        {
            return Replies.Error(ErrorTexts.NotInteger);
        }

        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                return Replies.Error(ErrorTexts.InvalidExpireTime(command));
            }

            when *= 1000;
        }

        var basetime = relative ? clock.NowMs : 0;
        if (when > long.MaxValue - basetime)
        {
            return Replies.Error(ErrorTexts.InvalidExpireTime(command));
        }

        when += basetime;
        var condition = nx ? ExpireCondition.IfNoDeadline
            : xx ? ExpireCondition.IfHasDeadline
            : gt ? ExpireCondition.IfGreater
            : lt ? ExpireCondition.IfLess
            : ExpireCondition.Always;

        // XX may be combined with GT or LT. GT already refuses a key without a deadline (no
        // deadline counts as infinite), so XX GT is GT; XX LT is a condition of its own.
        if (xx && (gt || lt))
        {
            condition = gt ? ExpireCondition.IfGreater : ExpireCondition.IfHasDeadlineAndLess;
        }

        return keys.InvokeAsync(context, request[1], new ExpireCall(when, condition));
    }

    public ValueTask<KvReply> TtlAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], new TimeToLiveCall(milliseconds: false, absolute: false));

    public ValueTask<KvReply> PTtlAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], new TimeToLiveCall(milliseconds: true, absolute: false));

    public ValueTask<KvReply> ExpireTimeAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], new TimeToLiveCall(milliseconds: false, absolute: true));

    public ValueTask<KvReply> PExpireTimeAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], new TimeToLiveCall(milliseconds: true, absolute: true));

    public ValueTask<KvReply> PersistAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], default(PersistCall));

    public ValueTask<KvReply> TypeAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], default(TypeCall));
}

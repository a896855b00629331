using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

// The string commands: SET and its family, GET, GETDEL, GETEX.
public sealed partial class CommandExecutor
{
    [Flags]
    private enum SetFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Get = 4,
        KeepTtl = 8,
        Ex = 16,
        Px = 32,
        ExAt = 64,
        PxAt = 128,
        Persist = 256,
        AnyExpire = Ex | Px | ExAt | PxAt,
    }

    private ValueTask<KvReply> GetAsync(CommandContext context, RespRequest request) =>
        InvokeKey(context, request[1], default(GetCall));

    private ValueTask<KvReply> SetAsync(CommandContext context, RespRequest request)
    {
        if (!TryParseStringOptions(request, 3, forSet: true, out var flags, out var expireIndex))
        {
            return Error(ErrorTexts.Syntax);
        }

        var expiry = ExpiryMode.Clear;
        long deadline = 0;
        if ((flags & SetFlags.AnyExpire) != 0)
        {
            if (!TryGetDeadline(request[expireIndex], flags, "set", out deadline, out var error))
            {
                return Error(error);
            }

            expiry = ExpiryMode.At;
        }
        else if ((flags & SetFlags.KeepTtl) != 0)
        {
            expiry = ExpiryMode.Keep;
        }

        var condition = (flags & SetFlags.Nx) != 0 ? SetCondition.IfNotExists
            : (flags & SetFlags.Xx) != 0 ? SetCondition.IfExists
            : SetCondition.Always;
        var set = new SetRequest(request.ToArray(2), condition, expiry, deadline, (flags & SetFlags.Get) != 0);
        return InvokeKey(context, request[1], new SetCall(set));
    }

    private async ValueTask<KvReply> SetNxAsync(CommandContext context, RespRequest request)
    {
        var set = new SetRequest(request.ToArray(2), SetCondition.IfNotExists, ExpiryMode.Clear, 0, ReturnOld: false);
        var reply = await InvokeKey(context, request[1], new SetCall(set));
        return reply.Kind == KvReplyKind.Ok ? KvReply.One : reply.Kind == KvReplyKind.Nil ? KvReply.Zero : reply;
    }

    private ValueTask<KvReply> SetExAsync(CommandContext context, RespRequest request) =>
        SetWithExpire(context, request, SetFlags.Ex, "setex");

    private ValueTask<KvReply> PSetExAsync(CommandContext context, RespRequest request) =>
        SetWithExpire(context, request, SetFlags.Px, "psetex");

    private ValueTask<KvReply> SetWithExpire(CommandContext context, RespRequest request, SetFlags unit, string command)
    {
        if (!TryGetDeadline(request[2], unit, command, out var deadline, out var error))
        {
            return Error(error);
        }

        var set = new SetRequest(request.ToArray(3), SetCondition.Always, ExpiryMode.At, deadline, ReturnOld: false);
        return InvokeKey(context, request[1], new SetCall(set));
    }

    private ValueTask<KvReply> GetDelAsync(CommandContext context, RespRequest request) =>
        InvokeKey(context, request[1], default(GetDeleteCall));

    private ValueTask<KvReply> GetExAsync(CommandContext context, RespRequest request)
    {
        if (!TryParseStringOptions(request, 2, forSet: false, out var flags, out var expireIndex))
        {
            return Error(ErrorTexts.Syntax);
        }

        GetExRequest getEx;
        if ((flags & SetFlags.AnyExpire) != 0)
        {
            // Redis checks the value only once it found the key: the grain answers the error.
            getEx = TryGetDeadline(request[expireIndex], flags, "getex", out var deadline, out var error)
                ? new GetExRequest(ExpiryMode.At, deadline, null)
                : new GetExRequest(ExpiryMode.Keep, 0, error);
        }
        else
        {
            getEx = new GetExRequest((flags & SetFlags.Persist) != 0 ? ExpiryMode.Persist : ExpiryMode.Keep, 0, null);
        }

        return InvokeKey(context, request[1], new GetExCall(getEx));
    }

    /// <summary>
    /// Redis's <c>parseExtendedStringArgumentsOrReply</c>: an option conflicting with an earlier
    /// one, or one without its value, is a syntax error; repeating an option is allowed and the
    /// last value wins.
    /// </summary>
    private static bool TryParseStringOptions(RespRequest request, int from, bool forSet, out SetFlags flags, out int expireIndex)
    {
        flags = SetFlags.None;
        expireIndex = 0;
        for (var j = from; j < request.Count; j++)
        {
            var option = request[j];
            var hasNext = j < request.Count - 1;
            if (forSet && Is(option, "nx"u8) && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (forSet && Is(option, "xx"u8) && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (forSet && Is(option, "get"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (forSet && Is(option, "keepttl"u8) && (flags & (SetFlags.Persist | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (!forSet && Is(option, "persist"u8) && (flags & (SetFlags.KeepTtl | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (TryExpireOption(option, flags, hasNext, out var unit))
            {
                flags |= unit;
                expireIndex = ++j;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryExpireOption(ReadOnlySpan<byte> option, SetFlags flags, bool hasNext, out SetFlags unit)
    {
        unit = Is(option, "ex"u8) ? SetFlags.Ex
            : Is(option, "px"u8) ? SetFlags.Px
            : Is(option, "exat"u8) ? SetFlags.ExAt
            : Is(option, "pxat"u8) ? SetFlags.PxAt
            : SetFlags.None;

        // The same unit again is fine; another unit, KEEPTTL or PERSIST is not.
        var conflicts = (SetFlags.AnyExpire & ~unit) | SetFlags.KeepTtl | SetFlags.Persist;
        return unit != SetFlags.None && hasNext && (flags & conflicts) == 0;
    }

    /// <summary>
    /// Redis's <c>getExpireMillisecondsOrReply</c>: an integer, positive, not overflowing when
    /// turned into milliseconds or added to now.
    /// </summary>
    private bool TryGetDeadline(ReadOnlySpan<byte> value, SetFlags unit, string command, out long deadline, out string error)
    {
        deadline = 0;
        error = string.Empty;
        if (!RespNumber.TryParseInt64(value, out var milliseconds))
        {
            error = ErrorTexts.NotInteger;
            return false;
        }

        var seconds = (unit & (SetFlags.Ex | SetFlags.ExAt)) != 0;
        if (milliseconds <= 0 || (seconds && milliseconds > long.MaxValue / 1000))
        {
            error = ErrorTexts.InvalidExpireTime(command);
            return false;
        }

        if (seconds)
        {
            milliseconds *= 1000;
        }

        if ((unit & (SetFlags.Ex | SetFlags.Px)) != 0)
        {
            milliseconds = unchecked(milliseconds + NowMs);
        }

        if (milliseconds <= 0)
        {
            error = ErrorTexts.InvalidExpireTime(command);
            return false;
        }

        deadline = milliseconds;
        return true;
    }
}

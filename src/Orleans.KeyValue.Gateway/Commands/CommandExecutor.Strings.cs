using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

// The string commands: SET and its family, GET, GETDEL, GETEX, and Redis 8.4's DELEX and DIGEST.
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
        IfEq = 512,
        IfNe = 1024,
        IfDeq = 2048,
        IfDne = 4096,
        AnyExpire = Ex | Px | ExAt | PxAt,
        AnyIf = IfEq | IfNe | IfDeq | IfDne,
    }

    /// <summary>Which command's options Redis's parseExtendedStringArgumentsOrReply reads.</summary>
    private enum StringOptions
    {
        GetEx,
        Set,
        MSetEx,
    }

    private ValueTask<KvReply> GetAsync(CommandContext context, RespRequest request) =>
        InvokeKey(context, request[1], default(GetCall));

    private ValueTask<KvReply> SetAsync(CommandContext context, RespRequest request)
    {
        if (!TryParseStringOptions(request, 3, StringOptions.Set, out var flags, out var expireIndex, out var matchIndex))
        {
            return Error(ErrorTexts.Syntax);
        }

        if (!TryGetExpiry(request, flags, expireIndex, "set", out var expiry, out var deadline, out var error))
        {
            return Error(error);
        }

        var compare = ToValueCondition(flags);
        var set = new SetRequest(
            request.ToArray(2),
            ToSetCondition(flags),
            expiry,
            deadline,
            (flags & SetFlags.Get) != 0,
            compare,
            compare == ValueCondition.None ? null : request.ToArray(matchIndex));
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
        if (!TryParseStringOptions(request, 2, StringOptions.GetEx, out var flags, out var expireIndex, out _))
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
    /// DELEX key [IFEQ v | IFNE v | IFDEQ d | IFDNE d] (Redis 8.4). Since redis/redis#14529 (in 8.4.0)
    /// a count other than "key" or "key condition value" is an arity error even for a missing key;
    /// everything else is decided in the grain's turn, in Redis's order (missing, type, condition
    /// name, digest length, comparison).
    /// </summary>
    private ValueTask<KvReply> DelExAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return InvokeKey(context, request[1], new DeleteIfCall(default));
        }

        if (request.Count != 4)
        {
            return Error(ErrorTexts.WrongArity("delex"));
        }

        var condition = ParseValueCondition(request[2]);
        var delete = condition == ValueCondition.None
            ? new DeleteIfRequest(ValueCondition.None, null, ErrorTexts.InvalidDelexCondition)
            : new DeleteIfRequest(condition, request.ToArray(3), null);
        return InvokeKey(context, request[1], new DeleteIfCall(delete));
    }

    private ValueTask<KvReply> DigestAsync(CommandContext context, RespRequest request) =>
        InvokeKey(context, request[1], default(DigestCall));

    private static ValueCondition ParseValueCondition(ReadOnlySpan<byte> name) =>
        Is(name, "ifeq"u8) ? ValueCondition.IfEqual
        : Is(name, "ifne"u8) ? ValueCondition.IfNotEqual
        : Is(name, "ifdeq"u8) ? ValueCondition.IfDigestEqual
        : Is(name, "ifdne"u8) ? ValueCondition.IfDigestNotEqual
        : ValueCondition.None;

    private static SetCondition ToSetCondition(SetFlags flags) =>
        (flags & SetFlags.Nx) != 0 ? SetCondition.IfNotExists
        : (flags & SetFlags.Xx) != 0 ? SetCondition.IfExists
        : SetCondition.Always;

    private static ValueCondition ToValueCondition(SetFlags flags) => (flags & SetFlags.AnyIf) switch
    {
        SetFlags.IfEq => ValueCondition.IfEqual,
        SetFlags.IfNe => ValueCondition.IfNotEqual,
        SetFlags.IfDeq => ValueCondition.IfDigestEqual,
        SetFlags.IfDne => ValueCondition.IfDigestNotEqual,
        _ => ValueCondition.None,
    };

    /// <summary>
    /// Redis's <c>parseExtendedStringArgumentsOrReply</c> (8.4): an option conflicting with an
    /// earlier one, or one without its value, is a syntax error; repeating an option is allowed and
    /// the last value wins. The IF options refuse NX, XX and another IF option seen before them,
    /// but in 8.4 NX and XX look only at each other, so <c>IFEQ v NX</c> passes where
    /// <c>NX IFEQ v</c> does not (fixed after 8.4 by redis/redis#15291); both conditions then apply.
    /// </summary>
    private static bool TryParseStringOptions(RespRequest request, int from, StringOptions command, out SetFlags flags, out int expireIndex, out int matchIndex)
    {
        flags = SetFlags.None;
        expireIndex = 0;
        matchIndex = 0;
        var writes = command != StringOptions.GetEx;
        for (var j = from; j < request.Count; j++)
        {
            var option = request[j];
            var hasNext = j < request.Count - 1;
            if (writes && Is(option, "nx"u8) && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (writes && Is(option, "xx"u8) && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (command == StringOptions.Set && Is(option, "get"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (writes && Is(option, "keepttl"u8) && (flags & (SetFlags.Persist | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (command == StringOptions.GetEx && Is(option, "persist"u8) && (flags & (SetFlags.KeepTtl | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (TryExpireOption(option, flags, hasNext, out var unit))
            {
                flags |= unit;
                expireIndex = ++j;
            }
            else if (command == StringOptions.Set && TryIfOption(option, flags, hasNext, out var condition))
            {
                flags = (flags & ~SetFlags.AnyIf) | condition;
                matchIndex = ++j;
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

    private static bool TryIfOption(ReadOnlySpan<byte> option, SetFlags flags, bool hasNext, out SetFlags condition)
    {
        condition = Is(option, "ifeq"u8) ? SetFlags.IfEq
            : Is(option, "ifne"u8) ? SetFlags.IfNe
            : Is(option, "ifdeq"u8) ? SetFlags.IfDeq
            : Is(option, "ifdne"u8) ? SetFlags.IfDne
            : SetFlags.None;

        // Redis's cond_mut_excl: the same IF option again is fine (the last value wins); NX, XX or
        // another IF option before it is not.
        var conflicts = (SetFlags.Nx | SetFlags.Xx | SetFlags.AnyIf) & ~condition;
        return condition != SetFlags.None && hasNext && (flags & conflicts) == 0;
    }

    /// <summary>The deadline a SET-like command asks for: from EX/PX/EXAT/PXAT, or KEEPTTL, or none (clear).</summary>
    private bool TryGetExpiry(RespRequest request, SetFlags flags, int expireIndex, string command, out ExpiryMode expiry, out long deadline, out string error)
    {
        expiry = ExpiryMode.Clear;
        deadline = 0;
        error = string.Empty;
        if ((flags & SetFlags.AnyExpire) != 0)
        {
            if (!TryGetDeadline(request[expireIndex], flags, command, out deadline, out error))
            {
                return false;
            }

            expiry = ExpiryMode.At;
        }
        else if ((flags & SetFlags.KeepTtl) != 0)
        {
            expiry = ExpiryMode.Keep;
        }

        return true;
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

using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The options SET, GETEX and MSETEX share (Redis's <c>parseExtendedStringArgumentsOrReply</c>)
/// and the deadline they ask for. The clock is read only when an option needs it.
/// </summary>
internal sealed class StringOptionParser(KeyGrainServices keys)
{
    /// <summary>Which command's options are read.</summary>
    public enum Grammar
    {
        GetEx,
        Set,
        MSetEx,
    }

    public static SetCondition ToSetCondition(SetFlags flags) =>
        (flags & SetFlags.Nx) != 0 ? SetCondition.IfNotExists
        : (flags & SetFlags.Xx) != 0 ? SetCondition.IfExists
        : SetCondition.Always;

    public static ValueCondition ToValueCondition(SetFlags flags) => (flags & SetFlags.AnyIf) switch
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
    public static bool TryParse(RespRequest request, int from, Grammar command, out SetFlags flags, out int expireIndex, out int matchIndex)
    {
        flags = SetFlags.None;
        expireIndex = 0;
        matchIndex = 0;
        var writes = command != Grammar.GetEx;
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
            else if (command == Grammar.Set && Is(option, "get"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (writes && Is(option, "keepttl"u8) && (flags & (SetFlags.Persist | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (command == Grammar.GetEx && Is(option, "persist"u8) && (flags & (SetFlags.KeepTtl | SetFlags.AnyExpire)) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (TryExpireOption(option, flags, hasNext, out var unit))
            {
                flags |= unit;
                expireIndex = ++j;
            }
            else if (command == Grammar.Set && TryIfOption(option, flags, hasNext, out var condition))
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
    public bool TryGetExpiry(RespRequest request, SetFlags flags, int expireIndex, string command, out ExpiryMode expiry, out long deadline, out string error)
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
    public bool TryGetDeadline(ReadOnlySpan<byte> value, SetFlags unit, string command, out long deadline, out string error)
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
            milliseconds = unchecked(milliseconds + keys.NowMs);
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

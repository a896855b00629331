using System.Globalization;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Grains.Keys;

// The string commands beyond GET and SET, as Redis 7.0's t_string.c runs them: the same checks
// in the same order, the same replies. A write keeps the key's deadline (Redis overwrites the
// value and leaves the expire), as APPEND, INCR and SETRANGE do there.
public sealed partial class KeyOperations
{
    /// <summary>One string command on this key (see <see cref="StringOperation"/>).</summary>
    public KvReply String(in StringRequest request) => request.Operation switch
    {
        StringOperation.Append => Append(request.Value ?? [], LimitOf(request)),
        StringOperation.IncrementBy => IncrementBy(request.Integer),
        StringOperation.IncrementByFloat => IncrementByFloat(request.Value ?? []),
        StringOperation.GetRange => GetRange(request.Integer, request.End),
        StringOperation.SetRange => SetRange(request.Integer, request.Value ?? [], LimitOf(request)),
        StringOperation.Length => Length(),
        _ => KvReply.FromError(ErrorReplies.Syntax),
    };

    private static long LimitOf(in StringRequest request) => request.MaxLength > 0 ? request.MaxLength : StringRequest.DefaultMaxLength;

    private KvReply Append(byte[] tail, long limit)
    {
        var now = _services.NowMs;
        var current = Live(now);
        if (!current.Exists)
        {
            Store(new KeyRecord(tail, ValueKind.String, KeyRecord.NoDeadline), current);
            return KvReply.FromInteger(tail.Length);
        }

        if (current.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        var length = (long)current.Value.Length + tail.Length;
        if (length > limit || length > Array.MaxLength)
        {
            return ErrorReplies.StringTooLongReply;
        }

        var value = new byte[length];
        current.Value.CopyTo(value, 0);
        tail.CopyTo(value, current.Value.Length);
        Store(current with { Value = value }, current);
        return KvReply.FromInteger(length);
    }

    private KvReply IncrementBy(long increment)
    {
        var now = _services.NowMs;
        var current = Live(now);
        long value = 0;
        if (current.Exists)
        {
            if (current.Kind != ValueKind.String)
            {
                return ErrorReplies.WrongTypeReply;
            }

            if (!RespNumber.TryParseInt64(current.Value, out value))
            {
                return ErrorReplies.NotIntegerReply;
            }
        }

        if ((increment < 0 && value < 0 && increment < long.MinValue - value) || (increment > 0 && value > 0 && increment > long.MaxValue - value))
        {
            return ErrorReplies.IncrementOverflowReply;
        }

        value += increment;
        var text = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
        Store(current.Exists ? current with { Value = text } : new KeyRecord(text, ValueKind.String, KeyRecord.NoDeadline), current);
        return KvReply.FromInteger(value);
    }

    private KvReply IncrementByFloat(byte[] incrementText)
    {
        var now = _services.NowMs;
        var current = Live(now);
        if (current.Exists && current.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        if (!TryAddFloat(current.Value, current.Exists, incrementText, ErrorReplies.NotFloatReply, out var text, out var error))
        {
            return error;
        }

        Store(current.Exists ? current with { Value = text } : new KeyRecord(text, ValueKind.String, KeyRecord.NoDeadline), current);
        return KvReply.FromBulk(text);
    }

    /// <summary>
    /// INCRBYFLOAT's arithmetic, for a string and for a hash field: the old value (none counts as
    /// 0) plus the increment, in Redis's text; false with the error when the old value is no
    /// float (<paramref name="oldNotFloat"/>), the increment is none, or the sum is not finite.
    /// </summary>
    private static bool TryAddFloat(ReadOnlySpan<byte> old, bool exists, byte[] incrementText, KvReply oldNotFloat, out byte[] text, out KvReply error)
    {
        text = [];
        var value = LongDouble.Zero;
        if (exists && !LongDouble.TryParse(old, out value))
        {
            error = oldNotFloat;
            return false;
        }

        if (!LongDouble.TryParse(incrementText, out var increment))
        {
            error = ErrorReplies.NotFloatReply;
            return false;
        }

        var sum = LongDouble.Add(value, increment);
        if (sum.IsInfinity)
        {
            error = ErrorReplies.NaNOrInfinityReply;
            return false;
        }

        text = Encoding.ASCII.GetBytes(sum.ToRedisString());
        error = default;
        return true;
    }

    private KvReply GetRange(long start, long end)
    {
        var record = Read();
        _services.Statistics.Read(record.Exists);
        if (!record.Exists)
        {
            return KvReply.FromBulk(ReadOnlyMemory<byte>.Empty);
        }

        if (record.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        // Redis 7.0's getrangeCommand, step by step.
        long length = record.Value.Length;
        if (start < 0 && end < 0 && start > end)
        {
            return KvReply.FromBulk(ReadOnlyMemory<byte>.Empty);
        }

        if (start < 0)
        {
            start += length;
        }

        if (end < 0)
        {
            end += length;
        }

        start = Math.Max(start, 0);
        end = Math.Max(end, 0);
        if ((ulong)end >= (ulong)length)
        {
            end = length - 1;
        }

        if (start > end || length == 0)
        {
            return KvReply.FromBulk(ReadOnlyMemory<byte>.Empty);
        }

        return KvReply.FromBulk(record.Value.AsMemory((int)start, (int)(end - start + 1)));
    }

    private KvReply SetRange(long offset, byte[] patch, long limit)
    {
        if (offset < 0)
        {
            return ErrorReplies.OffsetOutOfRangeReply;
        }

        var now = _services.NowMs;
        var current = Live(now);
        if (current.Exists && current.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        if (patch.Length == 0)
        {
            // Nothing to write: a missing key stays missing.
            return KvReply.FromInteger(current.Exists ? current.Value.Length : 0);
        }

        var end = offset + patch.Length;
        if (offset > limit || end > limit || end > Array.MaxLength)
        {
            return ErrorReplies.StringTooLongReply;
        }

        var old = current.Exists ? current.Value : [];
        var value = new byte[Math.Max(old.Length, end)];
        old.CopyTo(value, 0);
        patch.CopyTo(value, offset);
        Store(current.Exists ? current with { Value = value } : new KeyRecord(value, ValueKind.String, KeyRecord.NoDeadline), current);
        return KvReply.FromInteger(value.Length);
    }

    private KvReply Length()
    {
        var record = Read();
        _services.Statistics.Read(record.Exists);
        if (!record.Exists)
        {
            return KvReply.Zero;
        }

        return record.Kind == ValueKind.String ? KvReply.FromInteger(record.Value.Length) : ErrorReplies.WrongTypeReply;
    }
}

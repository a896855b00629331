namespace Orleans.KeyValue.Resp;

/// <summary>Redis's strict integer syntax (<c>string2ll</c>): optional '-', no '+', no spaces, no leading zeros.</summary>
public static class RespNumber
{
    /// <summary>Parses <paramref name="text"/> as Redis does; false for anything Redis refuses.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        var negative = text[0] == (byte)'-';
        var position = negative ? 1 : 0;
        if (position >= text.Length || text[position] < (byte)'1' || text[position] > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        for (; position < text.Length; position++)
        {
            var digit = (uint)(text[position] - (byte)'0');
            if (digit > 9)
            {
                return false;
            }

            if (magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (negative)
        {
            // -9223372036854775808 is representable; one more is not.
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = unchecked(-(long)magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }
}

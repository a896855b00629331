using System.Globalization;
using System.Numerics;
using System.Text;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// The x87 80-bit <c>long double</c> that Redis's INCRBYFLOAT computes in (64-bit mantissa,
/// round to nearest even, exponents down to the subnormal 2^-16445), so that INCRBYFLOAT's
/// results match Redis's digit for digit where a <see cref="double"/> would not (10.5 plus 0.1
/// is "10.6" in Redis, and 10.59999999999999964 in double precision printed as Redis prints).
/// Parsing follows glibc's <c>strtold</c> as Redis's <c>string2ld</c> checks it; formatting is
/// Redis's human form, <c>%.17Lf</c> without trailing zeros.
/// </summary>
public readonly struct LongDouble
{
    /// <summary>Redis's MAX_LONG_DOUBLE_CHARS: longer text is not a float.</summary>
    public const int MaxChars = 5 * 1024;

    private const int MantissaBits = 64;

    // The least significant bit of the smallest subnormal, and the first exponent past the largest value.
    private const int MinExponent = -16445;
    private const int MaxBinaryExponent = 16384;

    private static readonly BigInteger TwoTo64 = BigInteger.One << MantissaBits;
    private static readonly BigInteger TenTo17 = BigInteger.Pow(10, 17);

    private LongDouble(bool negative, BigInteger mantissa, int exponent, bool infinite)
    {
        Negative = negative;
        Mantissa = mantissa;
        Exponent = exponent;
        IsInfinity = infinite;
    }

    /// <summary>True for a negative value (and for -0).</summary>
    public bool Negative { get; }

    /// <summary>The magnitude is <see cref="Mantissa"/> times 2 to the <see cref="Exponent"/> (below 2^64).</summary>
    public BigInteger Mantissa { get; }

    public int Exponent { get; }

    /// <summary>True for plus or minus infinity.</summary>
    public bool IsInfinity { get; }

    /// <summary>Zero.</summary>
    public static LongDouble Zero => default;

    /// <summary>An integer, exactly (every <see cref="long"/> fits in 64 mantissa bits).</summary>
    public static LongDouble FromInt64(long value) =>
        new(value < 0, BigInteger.Abs(value), 0, infinite: false);

    /// <summary>
    /// Parses <paramref name="text"/> as Redis's <c>string2ld</c> does: what <c>strtold</c> reads
    /// (decimal, hexadecimal with a binary exponent, inf, infinity; a leading sign) with nothing
    /// after it, no leading space, not NaN, and neither overflowing nor underflowing to zero.
    /// Redis copies the bytes into a C string, so <c>strtold</c> stops at a zero byte.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        if (text.IsEmpty || text.Length >= MaxChars)
        {
            return false;
        }

        var nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            text = text[..nul];
        }

        if (text.IsEmpty || IsSpace(text[0]))
        {
            return false;
        }

        var position = 0;
        var negative = false;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            position = 1;
        }

        var rest = text[position..];
        if (StartsWithIgnoreCase(rest, "inf"u8))
        {
            if (rest.Length != 3 && !(rest.Length == 8 && StartsWithIgnoreCase(rest, "infinity"u8)))
            {
                return false;
            }

            value = new LongDouble(negative, BigInteger.Zero, 0, infinite: true);
            return true;
        }

        if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x' && (IsHexDigit(rest[2]) || (rest[2] == (byte)'.' && rest.Length > 3 && IsHexDigit(rest[3]))))
        {
            return TryParseHex(negative, rest[2..], out value);
        }

        return TryParseDecimal(negative, rest, out value);
    }

    /// <summary>The exact sum, rounded once to the nearest long double (ties to even).</summary>
    public static LongDouble Add(LongDouble a, LongDouble b)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            // Infinity minus infinity is NaN: reported as infinity too, since both are refused alike.
            return new LongDouble(a.IsInfinity ? a.Negative : b.Negative, BigInteger.Zero, 0, infinite: true);
        }

        if (a.Mantissa.IsZero && b.Mantissa.IsZero)
        {
            // IEEE: -0 + -0 is -0, any other sum of zeros is +0.
            return new LongDouble(a.Negative && b.Negative, BigInteger.Zero, 0, infinite: false);
        }

        var exponent = Math.Min(a.Exponent, b.Exponent);
        var sum = Signed(a) << (a.Exponent - exponent);
        sum += Signed(b) << (b.Exponent - exponent);
        if (sum.IsZero)
        {
            return Zero;
        }

        return Round(sum.Sign < 0, BigInteger.Abs(sum), BigInteger.One, exponent, out var result) ? result : new LongDouble(sum.Sign < 0, BigInteger.Zero, 0, infinite: true);
    }

    /// <summary>Redis's human form (ld2string, LD_STR_HUMAN): <c>%.17Lf</c>, trailing zeros and a bare point removed, "-0" as "0".</summary>
    public string ToRedisString()
    {
        if (IsInfinity)
        {
            return Negative ? "-inf" : "inf";
        }

        BigInteger whole, fraction;
        if (Exponent >= 0)
        {
            whole = Mantissa << Exponent;
            fraction = BigInteger.Zero;
        }
        else
        {
            // The exact value times 10^17, rounded to an integer (ties to even, as glibc's printf).
            var scaled = Mantissa * TenTo17;
            var shift = -Exponent;
            var quotient = scaled >> shift;
            var remainder = scaled - (quotient << shift);
            var twice = remainder << 1;
            var unit = BigInteger.One << shift;
            if (twice > unit || (twice == unit && !quotient.IsEven))
            {
                quotient += 1;
            }

            whole = BigInteger.DivRem(quotient, TenTo17, out fraction);
        }

        var text = new StringBuilder();
        if (Negative)
        {
            text.Append('-');
        }

        text.Append(whole.ToString(CultureInfo.InvariantCulture));
        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(17, '0').TrimEnd('0');
        if (digits.Length > 0)
        {
            text.Append('.').Append(digits);
        }

        var result = text.ToString();
        return result == "-0" ? "0" : result;
    }

    private static BigInteger Signed(LongDouble value) => value.Negative ? -value.Mantissa : value.Mantissa;

    private static bool TryParseDecimal(bool negative, ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        var digits = new StringBuilder();
        var position = 0;
        var fractionDigits = 0;
        var seenDigit = false;
        for (; position < text.Length && IsDigit(text[position]); position++)
        {
            digits.Append((char)text[position]);
            seenDigit = true;
        }

        if (position < text.Length && text[position] == (byte)'.')
        {
            position++;
            for (; position < text.Length && IsDigit(text[position]); position++)
            {
                digits.Append((char)text[position]);
                fractionDigits++;
                seenDigit = true;
            }
        }

        if (!seenDigit)
        {
            return false;
        }

        // An exponent needs digits; "1e" or "1e+" would leave text after the number.
        if (!TryReadExponent(text, ref position, (byte)'e', out var exponent10))
        {
            return false;
        }

        if (position != text.Length)
        {
            return false;
        }

        var significand = digits.ToString().TrimStart('0');
        if (significand.Length == 0)
        {
            value = new LongDouble(negative, BigInteger.Zero, 0, infinite: false);
            return true;
        }

        // The value is 0.significand times 10^magnitude: past about 10^4933 it overflows, below
        // about 10^-4951 it underflows to zero; strtold reports both as range errors, which Redis refuses.
        var magnitude = exponent10 - fractionDigits + significand.Length;
        if (magnitude > 4934 || magnitude < -4952)
        {
            return false;
        }

        var n = BigInteger.Parse(significand, CultureInfo.InvariantCulture);
        var power = exponent10 - fractionDigits;
        var d = BigInteger.One;
        if (power >= 0)
        {
            n *= BigInteger.Pow(10, (int)power);
        }
        else
        {
            d = BigInteger.Pow(10, (int)-power);
        }

        return Round(negative, n, d, 0, out value) && !value.Mantissa.IsZero;
    }

    private static bool TryParseHex(bool negative, ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        var n = BigInteger.Zero;
        var position = 0;
        long binaryExponent = 0;
        var seenDigit = false;
        for (; position < text.Length && IsHexDigit(text[position]); position++)
        {
            n = (n << 4) + HexValue(text[position]);
            seenDigit = true;
        }

        if (position < text.Length && text[position] == (byte)'.')
        {
            position++;
            for (; position < text.Length && IsHexDigit(text[position]); position++)
            {
                n = (n << 4) + HexValue(text[position]);
                binaryExponent -= 4;
                seenDigit = true;
            }
        }

        if (!seenDigit)
        {
            return false;
        }

        if (!TryReadExponent(text, ref position, (byte)'p', out var exponent2))
        {
            return false;
        }

        binaryExponent += exponent2;
        if (position != text.Length)
        {
            return false;
        }

        if (n.IsZero)
        {
            value = new LongDouble(negative, BigInteger.Zero, 0, infinite: false);
            return true;
        }

        var top = binaryExponent + (long)n.GetBitLength();
        if (top > MaxBinaryExponent + 1 || top < MinExponent - 1)
        {
            return false;
        }

        return Round(negative, n, BigInteger.One, (int)binaryExponent, out value) && !value.Mantissa.IsZero;
    }

    /// <summary>
    /// Rounds n / d * 2^exponent (n, d positive) to a long double, ties to even; false when it
    /// overflows. A result that underflows comes back as zero.
    /// </summary>
    private static bool Round(bool negative, BigInteger n, BigInteger d, int exponent, out LongDouble value)
    {
        // The result's lowest bit: 64 bits below its highest, never below the smallest subnormal.
        var estimate = (long)n.GetBitLength() - (long)d.GetBitLength() + exponent;
        var lowest = Math.Max(estimate - MantissaBits, MinExponent);
        while (true)
        {
            var shift = exponent - lowest;
            BigInteger numerator = n, denominator = d;
            if (shift >= 0)
            {
                numerator <<= (int)shift;
            }
            else
            {
                denominator <<= (int)-shift;
            }

            var mantissa = BigInteger.DivRem(numerator, denominator, out var remainder);
            if (mantissa >= TwoTo64)
            {
                lowest++;
                continue;
            }

            var twice = remainder << 1;
            if (twice > denominator || (twice == denominator && !mantissa.IsEven))
            {
                mantissa += 1;
            }

            if (mantissa == TwoTo64)
            {
                mantissa >>= 1;
                lowest++;
            }

            if (lowest + MantissaBits > MaxBinaryExponent)
            {
                value = default;
                return false;
            }

            value = new LongDouble(negative, mantissa, (int)lowest, infinite: false);
            return true;
        }
    }

    /// <summary>
    /// An exponent at <paramref name="position"/> if its letter is there (true and 0 if not):
    /// a sign, then digits (the value clamped far past any that parses); false when the letter
    /// has no digits after it. <paramref name="position"/> moves past it.
    /// </summary>
    private static bool TryReadExponent(ReadOnlySpan<byte> text, ref int position, byte letter, out long exponent)
    {
        exponent = 0;
        if (position >= text.Length || (text[position] | 0x20) != letter)
        {
            return true;
        }

        var at = position + 1;
        var negative = false;
        if (at < text.Length && text[at] is (byte)'+' or (byte)'-')
        {
            negative = text[at] == (byte)'-';
            at++;
        }

        if (at >= text.Length || !IsDigit(text[at]))
        {
            return false;
        }

        for (; at < text.Length && IsDigit(text[at]); at++)
        {
            exponent = Math.Min((exponent * 10) + (text[at] - '0'), 1_000_000_000);
        }

        exponent = negative ? -exponent : exponent;
        position = at;
        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsHexDigit(byte b) => IsDigit(b) || (b | 0x20) is >= (byte)'a' and <= (byte)'f';

    private static int HexValue(byte b) => IsDigit(b) ? b - '0' : (b | 0x20) - 'a' + 10;

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}

using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>Number conversions of Redis's Lua bridge, which runs on C doubles.</summary>
internal static class LuaNumberFormatter
{
    private const int SignificantDigits = 17;

    /// <summary>
    /// A float argument of redis.call as Redis writes it: C's <c>printf("%.17g")</c> under glibc, so
    /// 3.0 is "3", 0.1 is "0.10000000000000001", 1e20 is "1e+20", 0/0 is "-nan".
    /// </summary>
    public static string FormatG17(double value)
    {
        if (double.IsNaN(value))
        {
            return double.IsNegative(value) ? "-nan" : "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // "E16" gives the 17 correctly rounded significant digits: d.ddddddddddddddddE+xxx.
        string scientific = value.ToString("E16", CultureInfo.InvariantCulture);
        bool negative = scientific[0] == '-';
        int start = negative ? 1 : 0;
        int exponentAt = scientific.IndexOf('E', StringComparison.Ordinal);
        string digits = (scientific[start] + scientific[(start + 2)..exponentAt]).TrimEnd('0');
        int exponent = int.Parse(scientific.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        var text = new StringBuilder(32);
        if (negative)
        {
            text.Append('-');
        }

        if (exponent < -4 || exponent >= SignificantDigits)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            text.Append('e').Append(exponent < 0 ? '-' : '+')
                .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent >= 0)
        {
            if (digits.Length <= exponent + 1)
            {
                text.Append(digits).Append('0', exponent + 1 - digits.Length);
            }
            else
            {
                text.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
            }
        }
        else
        {
            text.Append("0.").Append('0', -exponent - 1).Append(digits);
        }

        return text.ToString();
    }

    /// <summary>
    /// A float returned by a script as Redis makes it an integer reply: C's <c>(long long)</c> cast, which
    /// truncates toward zero and gives the minimum value for NaN and out-of-range values on x86-64.
    /// </summary>
    public static long ToRedisInteger(double value) =>
        value >= -9223372036854775808.0 && value < 9223372036854775808.0 ? (long)value : long.MinValue;
}

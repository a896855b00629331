using System.Globalization;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Redis's memory values (memtoull): a number of bytes with an optional unit, b, k, kb, m, mb, g, gb in any case (k = 1000, kb = 1024).</summary>
public static class MemoryUnits
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024), ("k", 1000), ("m", 1000 * 1000), ("g", 1000L * 1000 * 1000), ("b", 1),
    ];

    /// <summary>The bytes <paramref name="text"/> stands for; false for anything else (a sign, a fraction, an unknown unit, an overflow).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var factor = 1L;
        var digits = text;
        foreach (var (suffix, unit) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                factor = unit;
                digits = text[..^suffix.Length];
                break;
            }
        }

        bytes = 0;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > long.MaxValue / factor)
        {
            return false;
        }

        bytes = number * factor;
        return true;
    }
}

using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// Shows RESP bytes and commands in failure messages: CR and LF stay visible as <c>\r\n</c>,
/// other control and non-ASCII bytes as <c>\xNN</c>, so two replies that differ by one byte
/// look different.
/// </summary>
public static class RespDisplay
{
    /// <summary>The longest reply shown in full; longer ones are cut with a note of their length.</summary>
    public const int MaxShownBytes = 2048;

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > MaxShownBytes ? bytes[..MaxShownBytes] : bytes;
        var text = new StringBuilder(shown.Length + 16);
        foreach (var b in shown)
        {
            switch (b)
            {
                case (byte)'\r':
                    text.Append("\\r");
                    break;
                case (byte)'\n':
                    text.Append("\\n");
                    break;
                case (byte)'\\':
                    text.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7f:
                    text.Append((char)b);
                    break;
                default:
                    text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }

        if (shown.Length < bytes.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"... ({bytes.Length} bytes in all)");
        }

        return text.ToString();
    }

    /// <summary>A command as one would type it in redis-cli: arguments with spaces or quotes are quoted.</summary>
    public static string Command(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return string.Join(' ', args.Select(QuoteIfNeeded));
    }

    /// <summary>A command given as raw argument bytes.</summary>
    public static string Command(IEnumerable<byte[]> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return string.Join(' ', args.Select(a => QuoteIfNeeded(Escape(a))));
    }

    private static string QuoteIfNeeded(string arg) =>
        arg.Length == 0 || arg.Any(c => c is ' ' or '"' or '\'' || char.IsControl(c))
            ? "\"" + arg.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\""
            : arg;
}

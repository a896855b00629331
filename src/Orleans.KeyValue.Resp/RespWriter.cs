using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// Writes RESP2 and RESP3 frames into an <see cref="IBufferWriter{T}"/>. Fixed frames are
/// preencoded; numbers are formatted in place; nothing allocates except error texts.
/// </summary>
public static class RespWriter
{
    private static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary><c>+OK</c>.</summary>
    public static void WriteOk(IBufferWriter<byte> writer) => WriteRaw(writer, Ok);

    /// <summary>A raw preencoded frame.</summary>
    public static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(frame.Length);
        frame.CopyTo(span);
        writer.Advance(frame.Length);
    }

    /// <summary>A status reply; CR and LF in the text become spaces, as Redis does.</summary>
    public static void WriteSimpleString(IBufferWriter<byte> writer, string text) => WriteLine(writer, (byte)'+', text);

    /// <summary>An error reply; <paramref name="text"/> starts with its code (<c>ERR ...</c>).</summary>
    public static void WriteError(IBufferWriter<byte> writer, string text) => WriteLine(writer, (byte)'-', text);

    /// <summary>An integer reply.</summary>
    public static void WriteInteger(IBufferWriter<byte> writer, long value) => WriteNumberLine(writer, (byte)':', value);

    /// <summary>A bulk string.</summary>
    public static void WriteBulk(IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        WriteNumberLine(writer, (byte)'$', value.Length);
        var span = writer.GetSpan(value.Length + 2);
        value.CopyTo(span);
        Crlf.CopyTo(span[value.Length..]);
        writer.Advance(value.Length + 2);
    }

    /// <summary>A bulk string of the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static void WriteBulk(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteNumberLine(writer, (byte)'$', length);
        var span = writer.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        Crlf.CopyTo(span[length..]);
        writer.Advance(length + 2);
    }

    /// <summary>Text for people: RESP3 verbatim string of format <c>txt</c>, RESP2 a bulk string.</summary>
    public static void WriteVerbatim(IBufferWriter<byte> writer, ReadOnlySpan<byte> text, int protocol)
    {
        if (protocol < 3)
        {
            WriteBulk(writer, text);
            return;
        }

        WriteNumberLine(writer, (byte)'=', text.Length + 4);
        var span = writer.GetSpan(text.Length + 6);
        "txt:"u8.CopyTo(span);
        text.CopyTo(span[4..]);
        Crlf.CopyTo(span[(4 + text.Length)..]);
        writer.Advance(text.Length + 6);
    }

    /// <summary>A nil bulk string: RESP2 <c>$-1</c>, RESP3 <c>_</c>.</summary>
    public static void WriteNull(IBufferWriter<byte> writer, int protocol) =>
        WriteRaw(writer, protocol >= 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>A nil array: RESP2 <c>*-1</c>, RESP3 <c>_</c>.</summary>
    public static void WriteNullArray(IBufferWriter<byte> writer, int protocol) =>
        WriteRaw(writer, protocol >= 3 ? "_\r\n"u8 : "*-1\r\n"u8);

    /// <summary>The header of an array of <paramref name="count"/> elements.</summary>
    public static void WriteArrayHeader(IBufferWriter<byte> writer, int count) => WriteNumberLine(writer, (byte)'*', count);

    /// <summary>The header of a map of <paramref name="pairs"/> pairs: RESP3 <c>%</c>, RESP2 a flat array.</summary>
    public static void WriteMapHeader(IBufferWriter<byte> writer, int pairs, int protocol)
    {
        if (protocol >= 3)
        {
            WriteNumberLine(writer, (byte)'%', pairs);
        }
        else
        {
            WriteNumberLine(writer, (byte)'*', pairs * 2L);
        }
    }

    /// <summary>The header of a set: RESP3 <c>~</c>, RESP2 an array.</summary>
    public static void WriteSetHeader(IBufferWriter<byte> writer, int count, int protocol) =>
        WriteNumberLine(writer, protocol >= 3 ? (byte)'~' : (byte)'*', count);

    /// <summary>
    /// A double: RESP3 <c>,</c>, RESP2 a bulk string. The text is Redis 7.0's <c>%.17g</c>
    /// (<c>0.10000000000000001</c>, <c>1e+20</c>), with <c>inf</c>, <c>-inf</c> and <c>nan</c>.
    /// </summary>
    public static void WriteDouble(IBufferWriter<byte> writer, double value, int protocol)
    {
        // .NET's "G17" picks fixed or scientific notation as C's %.17g does and also writes at
        // least two exponent digits; only the exponent letter's case differs.
        var text = double.IsPositiveInfinity(value) ? "inf"
            : double.IsNegativeInfinity(value) ? "-inf"
            : double.IsNaN(value) ? "nan"
            : value.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e');
        if (protocol >= 3)
        {
            WriteLine(writer, (byte)',', text);
        }
        else
        {
            WriteBulk(writer, text);
        }
    }

    /// <summary>A boolean: RESP3 <c>#t</c>/<c>#f</c>, RESP2 the integers 1 and 0.</summary>
    public static void WriteBoolean(IBufferWriter<byte> writer, bool value, int protocol)
    {
        if (protocol >= 3)
        {
            WriteRaw(writer, value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            WriteRaw(writer, value ? ":1\r\n"u8 : ":0\r\n"u8);
        }
    }

    private static void WriteNumberLine(IBufferWriter<byte> writer, byte marker, long value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(24);
        span[0] = marker;
        if (!Utf8Formatter.TryFormat(value, span[1..], out var written))
        {
            throw new InvalidOperationException("A 64-bit integer always fits in 22 bytes.");
        }

        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        writer.Advance(written + 3);
    }

    private static void WriteLine(IBufferWriter<byte> writer, byte marker, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetByteCount(text);
        var span = writer.GetSpan(length + 3);
        span[0] = marker;
        var body = span.Slice(1, length);
        Encoding.UTF8.GetBytes(text, body);
        // A reply line must stay one line: Redis turns CR and LF inside error texts into spaces.
        body.Replace((byte)'\r', (byte)' ');
        body.Replace((byte)'\n', (byte)' ');
        span[1 + length] = (byte)'\r';
        span[2 + length] = (byte)'\n';
        writer.Advance(length + 3);
    }
}

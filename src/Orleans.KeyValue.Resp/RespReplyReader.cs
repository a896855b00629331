using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// Reads RESP2 and RESP3 reply frames (what a server sends): <c>+ - : $ * _ , # ! = ( % ~ | &gt;</c>,
/// the RESP2 nils <c>$-1</c> and <c>*-1</c>, and nested aggregates.
/// </summary>
/// <remarks>
/// <para>
/// Attributes (<c>|</c>) are not returned on their own: they are read together with the frame
/// that follows them and hung on its <see cref="RespFrame.Attribute"/>, at the top level and
/// inside aggregates alike (where, as RESP3 says, they do not count as an element). So one
/// call returns one whole reply, and <c>consumed</c> covers its attributes too. An attribute
/// followed directly by another attribute is refused.
/// </para>
/// <para>
/// Streamed RESP3 strings and aggregates (<c>$?</c>, <c>*?</c>) are not supported (Redis
/// never sends them) and throw <see cref="RespProtocolException"/>.
/// </para>
/// <para>
/// Incomplete input returns false and never throws; the caller reads more and calls again
/// from the same start. Each call parses from the start, so it suits clients and tests, not
/// a server's hot path.
/// </para>
/// </remarks>
public static class RespReplyReader
{
    /// <summary>Frames may sit inside at most this many aggregates (attributes count as one level).</summary>
    public const int MaxNestingDepth = 1000;

    /// <summary>Reads one whole reply frame from the start of <paramref name="buffer"/>.</summary>
    /// <returns>False when the buffer holds only part of a frame.</returns>
    /// <exception cref="RespProtocolException">The bytes are not a RESP reply.</exception>
    public static bool TryRead(ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RespFrame? frame, out SequencePosition consumed)
    {
        if (buffer.IsSingleSegment)
        {
            var spanCursor = new SpanCursor(buffer.FirstSpan);
            if (ReadFrame(ref spanCursor, 0, build: true, out var read))
            {
                frame = read!; // ReadFrame builds a frame whenever it returns true with build set
                consumed = buffer.GetPosition(spanCursor.Consumed);
                return true;
            }
        }
        else
        {
            var sequenceCursor = new SequenceCursor(buffer);
            if (ReadFrame(ref sequenceCursor, 0, build: true, out var read))
            {
                frame = read!; // as above
                consumed = sequenceCursor.Position;
                return true;
            }
        }

        frame = null;
        consumed = buffer.Start;
        return false;
    }

    /// <summary>Reads one whole reply frame from the start of <paramref name="buffer"/>.</summary>
    /// <returns>False when the buffer holds only part of a frame.</returns>
    /// <exception cref="RespProtocolException">The bytes are not a RESP reply.</exception>
    public static bool TryRead(ReadOnlySpan<byte> buffer, [NotNullWhen(true)] out RespFrame? frame, out int consumed)
    {
        var cursor = new SpanCursor(buffer);
        if (ReadFrame(ref cursor, 0, build: true, out var read))
        {
            frame = read!; // ReadFrame builds a frame whenever it returns true with build set
            consumed = (int)cursor.Consumed;
            return true;
        }

        frame = null;
        consumed = 0;
        return false;
    }

    /// <summary>
    /// The length in bytes of the first whole frame of <paramref name="buffer"/> (its
    /// attributes included), with the same checks as <see cref="TryRead(ReadOnlySpan{byte}, out RespFrame?, out int)"/>
    /// but without building it.
    /// </summary>
    /// <returns>False when the buffer holds only part of a frame.</returns>
    /// <exception cref="RespProtocolException">The bytes are not a RESP reply.</exception>
    public static bool TryGetFrameLength(ReadOnlySpan<byte> buffer, out int length)
    {
        var cursor = new SpanCursor(buffer);
        if (ReadFrame(ref cursor, 0, build: false, out _))
        {
            length = (int)cursor.Consumed;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// Reads one frame at <paramref name="depth"/> aggregates deep. False when the input ends
    /// first. <paramref name="frame"/> is only built when <paramref name="build"/> is set.
    /// </summary>
    private static bool ReadFrame<TCursor>(ref TCursor cursor, int depth, bool build, out RespFrame? frame)
        where TCursor : struct, IRespCursor, allows ref struct
    {
        frame = null;
        var start = cursor.Consumed;
        if (!cursor.TryRead(out var marker))
        {
            return false;
        }

        switch (marker)
        {
            case (byte)'+':
            case (byte)'-':
            case (byte)'(':
            case (byte)',':
                {
                    if (!TryReadLine(ref cursor, out var line))
                    {
                        return false;
                    }

                    var type = marker switch
                    {
                        (byte)'+' => RespFrameType.SimpleString,
                        (byte)'-' => RespFrameType.Error,
                        (byte)'(' => RespFrameType.BigNumber,
                        _ => RespFrameType.Double,
                    };
                    if (type == RespFrameType.BigNumber && !IsBigNumber(line))
                    {
                        ThrowMalformed("invalid big number", start);
                    }

                    if (type == RespFrameType.Double && !IsDouble(line))
                    {
                        ThrowMalformed("invalid double", start);
                    }

                    if (build)
                    {
                        frame = RespFrame.Create(type, line.ToArray());
                    }

                    return true;
                }

            case (byte)':':
                {
                    if (!TryReadLine(ref cursor, out var line))
                    {
                        return false;
                    }

                    if (!RespNumber.TryParseInt64(line, out var value))
                    {
                        ThrowMalformed("invalid integer", start);
                    }

                    if (build)
                    {
                        frame = RespFrame.FromInteger(value);
                    }

                    return true;
                }

            case (byte)'_':
                {
                    if (!TryReadLine(ref cursor, out var line))
                    {
                        return false;
                    }

                    if (!line.IsEmpty)
                    {
                        ThrowMalformed("a null ('_') must have an empty line", start);
                    }

                    frame = RespFrame.Null;
                    return true;
                }

            case (byte)'#':
                {
                    if (!TryReadLine(ref cursor, out var line))
                    {
                        return false;
                    }

                    if (line.Length != 1 || line[0] is not ((byte)'t' or (byte)'f'))
                    {
                        ThrowMalformed("a boolean must be '#t' or '#f'", start);
                    }

                    frame = RespFrame.FromBoolean(line[0] == (byte)'t');
                    return true;
                }

            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
                return ReadBlob(ref cursor, marker, start, build, out frame);

            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
                return ReadAggregate(ref cursor, marker, depth, start, build, out frame);

            default:
                ThrowMalformed(
                    string.Create(CultureInfo.InvariantCulture, $"unknown type byte 0x{marker:x2} ('{(marker is >= 0x20 and < 0x7f ? (char)marker : '?')}')"),
                    start);
                return false;
        }
    }

    private static bool ReadBlob<TCursor>(ref TCursor cursor, byte marker, long start, bool build, out RespFrame? frame)
        where TCursor : struct, IRespCursor, allows ref struct
    {
        frame = null;
        if (!TryReadLength(ref cursor, start, out var length))
        {
            return false;
        }

        if (length == -1 && marker == (byte)'$')
        {
            frame = RespFrame.Null;
            return true;
        }

        if (length < 0 || length > Array.MaxLength)
        {
            ThrowMalformed("invalid bulk length", start);
        }

        if (cursor.Remaining < length + 2)
        {
            return false;
        }

        // RESP3: three bytes of format ("txt", "mkd"), a colon, then the text.
        if (marker == (byte)'=' && (length < 4 || cursor.ByteAt(cursor.Consumed + 3) != (byte)':'))
        {
            ThrowMalformed("a verbatim string must start with a 3-byte format and ':'", start);
        }

        byte[]? bytes = null;
        if (build)
        {
            bytes = cursor.ReadArray((int)length);
        }
        else
        {
            cursor.Advance(length);
        }

        cursor.TryRead(out var cr);
        cursor.TryRead(out var lf);
        if (cr != (byte)'\r' || lf != (byte)'\n')
        {
            ThrowMalformed("bulk data not followed by \\r\\n", start);
        }

        if (build)
        {
            var type = marker switch
            {
                (byte)'$' => RespFrameType.BulkString,
                (byte)'!' => RespFrameType.BlobError,
                _ => RespFrameType.VerbatimString,
            };
            frame = RespFrame.Create(type, bytes!); // set above when building
        }

        return true;
    }

    private static bool ReadAggregate<TCursor>(ref TCursor cursor, byte marker, int depth, long start, bool build, out RespFrame? frame)
        where TCursor : struct, IRespCursor, allows ref struct
    {
        frame = null;
        if (!TryReadLength(ref cursor, start, out var count))
        {
            return false;
        }

        if (count == -1 && marker == (byte)'*')
        {
            frame = RespFrame.NullArray;
            return true;
        }

        var pairs = marker is (byte)'%' or (byte)'|';
        if (count < 0 || count > (pairs ? int.MaxValue / 2 : int.MaxValue))
        {
            ThrowMalformed("invalid aggregate length", start);
        }

        if (depth >= MaxNestingDepth)
        {
            ThrowMalformed(string.Create(CultureInfo.InvariantCulture, $"aggregates nested deeper than {MaxNestingDepth}"), start);
        }

        var total = (int)(pairs ? count * 2 : count);

        // Every element takes at least 3 bytes ("_\r\n"): a count larger than that is surely
        // incomplete, and the array is never sized by an untrusted count.
        if (cursor.Remaining < total * 3L)
        {
            return false;
        }

        var items = build ? new RespFrame[total] : null;
        for (var i = 0; i < total; i++)
        {
            if (!ReadFrame(ref cursor, depth + 1, build, out var item))
            {
                return false;
            }

            if (items is not null)
            {
                items[i] = item!; // built, since build is set
            }
        }

        if (marker == (byte)'|')
        {
            // The attributes belong to the frame that follows them.
            var next = cursor.Consumed;
            if (cursor.TryPeek(out var following) && following == (byte)'|')
            {
                ThrowMalformed("attributes followed by more attributes", next);
            }

            if (!ReadFrame(ref cursor, depth, build, out var annotated))
            {
                return false;
            }

            if (build)
            {
                frame = annotated!.WithAttribute(RespFrame.Create(RespFrameType.Attribute, items!)); // built, since build is set
            }

            return true;
        }

        if (build)
        {
            var type = marker switch
            {
                (byte)'*' => RespFrameType.Array,
                (byte)'~' => RespFrameType.Set,
                (byte)'>' => RespFrameType.Push,
                _ => RespFrameType.Map,
            };
            frame = RespFrame.Create(type, items!);
        }

        return true;
    }

    /// <summary>Reads the rest of a line up to "\r\n"; a bare '\r' or '\n' inside is malformed.</summary>
    private static bool TryReadLine<TCursor>(ref TCursor cursor, out ReadOnlySpan<byte> line)
        where TCursor : struct, IRespCursor, allows ref struct
    {
        var start = cursor.Consumed - 1;
        if (!cursor.TryReadTo(out line, (byte)'\r') || !cursor.TryRead(out var lf))
        {
            return false;
        }

        if (lf != (byte)'\n')
        {
            ThrowMalformed("'\\r' not followed by '\\n'", start);
        }

        if (line.Contains((byte)'\n'))
        {
            ThrowMalformed("'\\n' inside a line", start);
        }

        return true;
    }

    private static bool TryReadLength<TCursor>(ref TCursor cursor, long start, out long length)
        where TCursor : struct, IRespCursor, allows ref struct
    {
        length = 0;
        if (!TryReadLine(ref cursor, out var line))
        {
            return false;
        }

        if (line.Length == 1 && line[0] == (byte)'?')
        {
            ThrowMalformed("streamed strings and aggregates ('?') are not supported", start);
        }

        if (!RespNumber.TryParseInt64(line, out length))
        {
            ThrowMalformed("invalid length", start);
        }

        return true;
    }

    private static bool IsBigNumber(ReadOnlySpan<byte> line)
    {
        var digits = !line.IsEmpty && line[0] == (byte)'-' ? line[1..] : line;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool IsDouble(ReadOnlySpan<byte> line)
    {
        if (line.SequenceEqual("inf"u8) || line.SequenceEqual("-inf"u8) || line.SequenceEqual("nan"u8))
        {
            return true;
        }

        const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        return double.TryParse(line, Styles, CultureInfo.InvariantCulture, out _);
    }

    [DoesNotReturn]
    private static void ThrowMalformed(string message, long offset) =>
        throw new RespProtocolException(string.Create(CultureInfo.InvariantCulture, $"Malformed RESP reply at byte {offset}: {message}."));

    /// <summary>The input primitives the frame parser needs, over a span or a sequence.</summary>
    private interface IRespCursor
    {
        long Consumed { get; }

        long Remaining { get; }

        bool TryRead(out byte value);

        bool TryPeek(out byte value);

        /// <summary>Reads up to <paramref name="delimiter"/> and past it; false if it is not there.</summary>
        bool TryReadTo(out ReadOnlySpan<byte> span, byte delimiter);

        void Advance(long count);

        /// <summary>Copies the next <paramref name="length"/> bytes (known to be there) and advances.</summary>
        byte[] ReadArray(int length);

        /// <summary>The byte at <paramref name="offset"/> from the start of the input (known to be there).</summary>
        byte ByteAt(long offset);
    }

    /// <summary>The fast path: the whole input is one span.</summary>
    private ref struct SpanCursor(ReadOnlySpan<byte> buffer) : IRespCursor
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;

        public readonly long Consumed => _position;

        public readonly long Remaining => _buffer.Length - _position;

        public bool TryRead(out byte value)
        {
            if (_position < _buffer.Length)
            {
                value = _buffer[_position++];
                return true;
            }

            value = 0;
            return false;
        }

        public readonly bool TryPeek(out byte value)
        {
            if (_position < _buffer.Length)
            {
                value = _buffer[_position];
                return true;
            }

            value = 0;
            return false;
        }

        public bool TryReadTo(out ReadOnlySpan<byte> span, byte delimiter)
        {
            var index = _buffer[_position..].IndexOf(delimiter);
            if (index < 0)
            {
                span = default;
                return false;
            }

            span = _buffer.Slice(_position, index);
            _position += index + 1;
            return true;
        }

        public void Advance(long count) => _position += (int)count;

        public byte[] ReadArray(int length)
        {
            var bytes = _buffer.Slice(_position, length).ToArray();
            _position += length;
            return bytes;
        }

        public readonly byte ByteAt(long offset) => _buffer[(int)offset];
    }

    /// <summary>The slow path: the input is split across segments.</summary>
    private ref struct SequenceCursor(ReadOnlySequence<byte> buffer) : IRespCursor
    {
        private SequenceReader<byte> _reader = new(buffer);

        public readonly long Consumed => _reader.Consumed;

        public readonly long Remaining => _reader.Remaining;

        public readonly SequencePosition Position => _reader.Position;

        public bool TryRead(out byte value) => _reader.TryRead(out value);

        public readonly bool TryPeek(out byte value) => _reader.TryPeek(out value);

        // SequenceReader returns a slice of the current segment, or a copy if the line spans segments.
        public bool TryReadTo(out ReadOnlySpan<byte> span, byte delimiter) => _reader.TryReadTo(out span, delimiter);

        public void Advance(long count) => _reader.Advance(count);

        public byte[] ReadArray(int length)
        {
            var bytes = GC.AllocateUninitializedArray<byte>(length);
            _reader.TryCopyTo(bytes);
            _reader.Advance(length);
            return bytes;
        }

        public readonly byte ByteAt(long offset) => _reader.Sequence.Slice(offset, 1).FirstSpan[0];
    }
}

using System.Buffers;
using System.Globalization;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// Parses client requests (RESP multibulk and inline commands) into a <see cref="RespRequest"/>.
/// Resumable: argument bytes are copied out as they arrive and consumed from the input, so a
/// 512 MB bulk never has to sit whole in the transport's pipe; only an unfinished count line
/// (at most <see cref="RespLimits.MaxInlineLength"/> bytes) is left unconsumed.
/// Errors use Redis's texts.
/// </summary>
public sealed class RespRequestParser
{
    private readonly RespLimits _limits;
    private readonly ArrayBufferWriter<byte> _inlineScratch = new();
    private State _state;
    private long _argumentsLeft;
    private int _bulkIndex;
    private int _bulkFilled;
    private int _bulkLength;
    private int _terminatorLeft;

    public RespRequestParser(RespLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    private enum State
    {
        Idle,
        BulkHeader,
        BulkData,
    }

    /// <summary>The protocol error text (without the leading <c>ERR</c>) after <see cref="RespParseStatus.Error"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Bytes of the command being parsed that were already taken from the input (copied into
    /// the request) while it is not whole yet: with what is still unparsed in the input, what a
    /// client's half-sent command holds (Redis's query buffer, for client-query-buffer-limit).
    /// </summary>
    public long PendingBytes { get; private set; }

    /// <summary>
    /// Reads from <paramref name="reader"/> until one command is complete, the input runs out,
    /// or a protocol error. On <see cref="RespParseStatus.Complete"/> the caller runs the
    /// command and calls again; <paramref name="request"/> is reset by this method when a new
    /// command starts.
    /// </summary>
    public RespParseStatus Parse(ref SequenceReader<byte> reader, RespRequest request, bool authenticated = true)
    {
        var start = reader.Consumed;
        var status = ParseCommand(ref reader, request, authenticated);
        PendingBytes = status == RespParseStatus.NeedMoreData ? PendingBytes + (reader.Consumed - start) : 0;
        return status;
    }

    private RespParseStatus ParseCommand(ref SequenceReader<byte> reader, RespRequest request, bool authenticated)
    {
        ArgumentNullException.ThrowIfNull(request);
        while (true)
        {
            switch (_state)
            {
                case State.Idle:
                    {
                        if (!reader.TryPeek(out var first))
                        {
                            return RespParseStatus.NeedMoreData;
                        }

                        if (first != (byte)'*')
                        {
                            var inline = ParseInline(ref reader, request);
                            if (inline == RespParseStatus.Complete && request.Count == 0)
                            {
                                continue; // an empty line is ignored, as Redis does
                            }

                            return inline;
                        }

                        if (!TryReadCountLine(ref reader, out var count, "too big mbulk count string", out var incomplete))
                        {
                            return incomplete ? RespParseStatus.NeedMoreData : RespParseStatus.Error;
                        }

                        // Redis's order: a bad count, then the unauthenticated cap, then (ours) MaxArguments.
                        if (count is null || count > int.MaxValue)
                        {
                            return Fail("invalid multibulk length");
                        }

                        if (!authenticated && count > _limits.MaxUnauthenticatedArguments)
                        {
                            return Fail("unauthenticated multibulk length");
                        }

                        if (count > _limits.MaxArguments)
                        {
                            return Fail("invalid multibulk length");
                        }

                        if (count <= 0)
                        {
                            continue; // "*0" and "*-1" are empty commands, skipped
                        }

                        request.Reset();
                        request.ReserveArguments((int)Math.Min(count.Value, 1024));
                        _argumentsLeft = count.Value;
                        _state = State.BulkHeader;
                        break;
                    }

                case State.BulkHeader:
                    {
                        if (!reader.TryPeek(out var marker))
                        {
                            return RespParseStatus.NeedMoreData;
                        }

                        // As Redis, look at the marker only once the whole line is there: a long
                        // line without '\r' is "too big bulk count string" whatever it starts with.
                        if (!TryReadCountLine(ref reader, out var length, "too big bulk count string", out var incomplete))
                        {
                            return incomplete ? RespParseStatus.NeedMoreData : RespParseStatus.Error;
                        }

                        if (marker != (byte)'$')
                        {
                            // Redis's error replies never carry a line break: '\r' and '\n' show as spaces.
                            var shown = marker is (byte)'\r' or (byte)'\n' ? ' ' : (char)marker;
                            return Fail(string.Create(CultureInfo.InvariantCulture, $"expected '$', got '{shown}'"));
                        }

                        if (length is null || length < 0 || length > _limits.MaxBulkLength || length > Array.MaxLength)
                        {
                            return Fail("invalid bulk length");
                        }

                        if (!authenticated && length > _limits.MaxUnauthenticatedBulkLength)
                        {
                            return Fail("unauthenticated bulk length");
                        }

                        _bulkLength = (int)length.Value;
                        _bulkIndex = request.Count;
                        request.BeginArgument(_bulkLength);
                        _bulkFilled = 0;
                        _terminatorLeft = 2;
                        _state = State.BulkData;
                        break;
                    }

                case State.BulkData:
                    {
                        if (_bulkFilled < _bulkLength)
                        {
                            var destination = request.ArgumentSpan(_bulkIndex)[_bulkFilled..];
                            var available = (int)Math.Min(destination.Length, reader.Remaining);
                            if (available == 0)
                            {
                                return RespParseStatus.NeedMoreData;
                            }

                            reader.TryCopyTo(destination[..available]);
                            reader.Advance(available);
                            _bulkFilled += available;
                            if (_bulkFilled < _bulkLength)
                            {
                                return RespParseStatus.NeedMoreData;
                            }
                        }

                        // Redis drops the two bytes after the data without looking at them.
                        var skip = (int)Math.Min(_terminatorLeft, reader.Remaining);
                        reader.Advance(skip);
                        _terminatorLeft -= skip;
                        if (_terminatorLeft > 0)
                        {
                            return RespParseStatus.NeedMoreData;
                        }

                        _argumentsLeft--;
                        if (_argumentsLeft == 0)
                        {
                            _state = State.Idle;
                            return RespParseStatus.Complete;
                        }

                        _state = State.BulkHeader;
                        break;
                    }
            }
        }
    }

    private RespParseStatus Fail(string message)
    {
        Error = "Protocol error: " + message;
        return RespParseStatus.Error;
    }

    /// <summary>
    /// Reads "&lt;marker&gt;&lt;digits&gt;\r\n". As in Redis, the line ends at the first '\r' and the
    /// byte after it is dropped unseen. <paramref name="value"/> is null when the digits are not
    /// an integer.
    /// </summary>
    private bool TryReadCountLine(ref SequenceReader<byte> reader, out long? value, string tooBig, out bool incomplete)
    {
        value = null;
        incomplete = false;
        var start = reader;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\r'))
        {
            // Redis's check: only a line with no '\r' at all is "too big".
            reader = start;
            if (reader.Remaining > _limits.MaxInlineLength)
            {
                Fail(tooBig);
                return false;
            }

            incomplete = true;
            return false;
        }

        if (reader.Remaining < 1)
        {
            // The '\r' is the last byte so far: wait for the byte after it.
            reader = start;
            incomplete = true;
            return false;
        }

        reader.Advance(1);

        // An empty line (the '\r' came first) has no marker to skip and no digits.
        var digits = line.IsEmpty ? line : line.Slice(1);
        if (digits.Length <= 24)
        {
            Span<byte> scratch = stackalloc byte[24];
            digits.CopyTo(scratch);
            if (RespNumber.TryParseInt64(scratch[..(int)digits.Length], out var parsed))
            {
                value = parsed;
            }
        }

        return true;
    }

    private RespParseStatus ParseInline(ref SequenceReader<byte> reader, RespRequest request)
    {
        var start = reader;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            reader = start;
            return reader.Remaining > _limits.MaxInlineLength ? Fail("too big inline request") : RespParseStatus.NeedMoreData;
        }

        if (line.Length > _limits.MaxInlineLength)
        {
            return Fail("too big inline request");
        }

        request.Reset();
        request.IsInline = true;
        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        return InlineSplitter.TrySplit(bytes, request, _inlineScratch)
            ? RespParseStatus.Complete
            : Fail("unbalanced quotes in request");
    }
}

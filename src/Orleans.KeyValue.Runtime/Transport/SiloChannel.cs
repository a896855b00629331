using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// One silo-to-silo TCP connection, multiplexed: any number of requests in flight, matched to
/// their responses by correlation id. Frames wait in a bounded queue (senders wait when it is
/// full) and a single writer sends everything queued, then flushes once, so many small frames
/// share a system call. Requests that arrive are handed to the transport's handlers; a handler
/// that finishes at once answers without leaving the reading loop.
/// </summary>
internal sealed class SiloChannel
{
    private readonly IDuplexPipe _pipe;
    private readonly SiloTransportOptions _options;
    private readonly Func<SiloMessageType, byte[], CancellationToken, ValueTask<byte[]>> _handler;
    private readonly Channel<Outgoing> _outgoing;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private volatile bool _isClosed;
    private long _nextId;

    public SiloChannel(IDuplexPipe pipe, SiloTransportOptions options, Func<SiloMessageType, byte[], CancellationToken, ValueTask<byte[]>> handler)
    {
        _pipe = pipe;
        _options = options;
        _handler = handler;
        _outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.MaxQueuedFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>True once the connection failed or was closed.</summary>
    public bool IsClosed => _isClosed;

    /// <summary>Runs both loops until the connection ends; then fails every request in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var writing = WriteLoopAsync(cancellationToken);
        try
        {
            await ReadLoopAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or OperationCanceledException or ObjectDisposedException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The peer went away or spoke nonsense: the connection is over.
        }
        finally
        {
            Close();
            try
            {
                await writing;
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Writing fails the same way once the socket is gone.
            }

            await _pipe.Input.CompleteAsync();
            await _pipe.Output.CompleteAsync();
        }
    }

    /// <summary>Closes the connection; requests in flight fail as unavailable.</summary>
    public void Close()
    {
        _isClosed = true;
        _outgoing.Writer.TryComplete();

        foreach (var pair in _pending)
        {
            if (_pending.TryRemove(pair.Key, out var waiter))
            {
                waiter.TrySetException(new SiloUnavailableException("The connection to the silo closed."));
            }
        }

        // Stop the reader if it waits for input.
        try
        {
            _pipe.Input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The reader already completed.
        }
    }

    /// <summary>Sends a request and waits for its response.</summary>
    public async Task<byte[]> RequestAsync(SiloMessageType type, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        if (IsClosed)
        {
            _pending.TryRemove(id, out _);
            throw new SiloUnavailableException("The connection to the silo closed.");
        }

        try
        {
            await _outgoing.Writer.WriteAsync(new Outgoing(SiloFrame.Request, type, id, payload), cancellationToken);
        }
        catch (ChannelClosedException exception)
        {
            _pending.TryRemove(id, out _);
            throw new SiloUnavailableException("The connection to the silo closed.", exception);
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new SiloUnavailableException($"The silo did not answer within {timeout.TotalMilliseconds:0} ms.", exception) { MayHaveArrived = true };
        }
        catch (SiloUnavailableException exception)
        {
            throw new SiloUnavailableException(exception.Message, exception) { MayHaveArrived = true };
        }
        catch (ChannelClosedException exception)
        {
            throw new SiloUnavailableException("The connection to the silo closed.", exception);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var input = _pipe.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            if (result.IsCanceled)
            {
                return;
            }

            var buffer = result.Buffer;
            while (TryReadFrame(ref buffer, out var kind, out var type, out var id, out var payload))
            {
                Dispatch(kind, type, id, payload, cancellationToken);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out byte kind, out SiloMessageType type, out long id, out byte[] payload)
    {
        kind = 0;
        type = 0;
        id = 0;
        payload = [];
        if (buffer.Length < SiloFrame.HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[SiloFrame.HeaderLength];
        buffer.Slice(0, SiloFrame.HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < SiloFrame.HeaderLength - 4 || length > _options.MaxFrameLength)
        {
            throw new InvalidDataException($"A silo frame of {length} bytes is out of bounds.");
        }

        if (buffer.Length < length + 4L)
        {
            return false;
        }

        kind = header[4];
        type = (SiloMessageType)header[5];
        id = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
        payload = buffer.Slice(SiloFrame.HeaderLength, length + 4 - SiloFrame.HeaderLength).ToArray();
        buffer = buffer.Slice(length + 4);
        return true;
    }

    private void Dispatch(byte kind, SiloMessageType type, long id, byte[] payload, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case SiloFrame.Response:
                if (_pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(payload);
                }

                break;
            case SiloFrame.Fault:
                if (_pending.TryRemove(id, out var failed))
                {
                    failed.TrySetException(new SiloUnavailableException("The silo failed the request: " + Encoding.UTF8.GetString(payload)));
                }

                break;
            case SiloFrame.Request:
                ValueTask<byte[]> handling;
                try
                {
                    handling = _handler(type, payload, cancellationToken);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    Respond(type, id, exception);
                    break;
                }

                if (handling.IsCompletedSuccessfully)
                {
                    Respond(SiloFrame.Response, type, id, handling.Result);
                }
                else
                {
                    _ = RespondLaterAsync(type, id, handling);
                }

                break;
            default:
                throw new InvalidDataException($"Unknown silo frame kind {kind}.");
        }
    }

    private async Task RespondLaterAsync(SiloMessageType type, long id, ValueTask<byte[]> handling)
    {
        try
        {
            Respond(SiloFrame.Response, type, id, await handling);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Respond(type, id, exception);
        }
    }

    private void Respond(SiloMessageType type, long id, Exception exception) =>
        Respond(SiloFrame.Fault, type, id, Encoding.UTF8.GetBytes(exception.GetType().Name + ": " + exception.Message));

    private void Respond(byte kind, SiloMessageType type, long id, byte[] payload)
    {
        // Responses never wait for queue space: the requester bounds what it has in flight.
        if (!_outgoing.Writer.TryWrite(new Outgoing(kind, type, id, payload)))
        {
            _ = _outgoing.Writer.WriteAsync(new Outgoing(kind, type, id, payload)).AsTask().ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var output = _pipe.Output;
        var reader = _outgoing.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var frame))
            {
                var span = output.GetSpan(SiloFrame.HeaderLength);
                BinaryPrimitives.WriteInt32LittleEndian(span, SiloFrame.HeaderLength - 4 + frame.Payload.Length);
                span[4] = frame.Kind;
                span[5] = (byte)frame.Type;
                BinaryPrimitives.WriteInt64LittleEndian(span[6..], frame.Id);
                output.Advance(SiloFrame.HeaderLength);
                output.Write(frame.Payload.Span);
            }

            var flushed = await output.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    private readonly record struct Outgoing(byte Kind, SiloMessageType Type, long Id, ReadOnlyMemory<byte> Payload);
}

using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

/// <summary>
/// One pipelined, multiplexed RESP connection shared by every caller. Callers queue encoded
/// commands; a single writer sends everything queued and flushes once; replies come back in
/// order and complete the callers first-in first-out. RESP3 push frames are skipped.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<Pending> _queue;
    private readonly ConcurrentQueue<TaskCompletionSource<RespFrame>> _awaiting = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _writing;
    private readonly Task _reading;
    private Exception? _failure;

    private RespConnection(Socket socket, Stream stream, string endpoint, int maxPending)
    {
        Endpoint = endpoint;
        _socket = socket;

        // The plain socket's stream, or TLS over it: the pipes below are the same either way.
        _stream = stream;
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(maxPending) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writing = WriteLoopAsync();
        _reading = ReadLoopAsync();
    }

    /// <summary>The gateway, <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>True once the connection failed or was closed.</summary>
    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Opens a connection to <paramref name="endpoint"/>, over TLS when <paramref name="tls"/> is given.</summary>
    public static async Task<RespConnection> OpenAsync(string endpoint, TimeSpan timeout, int maxPending, TlsConnector? tls, CancellationToken cancellationToken)
    {
        var (host, port) = ParseEndpoint(endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(new DnsEndPoint(host, port), deadline.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null)
            {
                // The handshake counts against the connect timeout.
                stream = await tls.AuthenticateAsync(stream, host, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new KeyValueConnectionException($"Cannot connect to {endpoint}: {exception.Message}", exception);
        }
        catch (Exception exception) when (TlsConnector.IsHandshakeFailure(exception))
        {
            socket.Dispose();
            throw new KeyValueConnectionException($"No TLS session with {endpoint}: {exception.Message}", exception);
        }

        return new RespConnection(socket, stream, endpoint, maxPending);
    }

    /// <summary>Sends one command and returns its reply (an error reply is a frame, not an exception).</summary>
    public async Task<RespFrame> SendAsync(byte[] command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<RespFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(command, reply), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException exception)
        {
            throw new KeyValueConnectionException($"The connection to {Endpoint} is closed.", _failure ?? exception);
        }

        try
        {
            return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"No reply from {Endpoint} within {timeout.TotalMilliseconds:0} ms (the command may have run).", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(RespConnection)));
        try
        {
            await Task.WhenAll(_writing, _reading).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closing.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    internal static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"'{endpoint}' is not host:port.", nameof(endpoint));
        }

        return (endpoint[..colon].Trim('[', ']'), port);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var pending))
                {
                    // Awaiting order is write order: replies come back in that order.
                    _awaiting.Enqueue(pending.Reply);
                    _output.Write(pending.Command);
                }

                var flushed = await _output.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            Fail(exception);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (RespReplyReader.TryRead(buffer, out var frame, out var consumed))
                {
                    buffer = buffer.Slice(consumed);
                    if (frame.Type == RespFrameType.Push)
                    {
                        continue;
                    }

                    if (_awaiting.TryDequeue(out var waiter))
                    {
                        waiter.TrySetResult(frame);
                    }
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new IOException($"{Endpoint} closed the connection."));
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException or RespProtocolException or InvalidOperationException)
        {
            Fail(exception);
        }
    }

    private void Fail(Exception reason)
    {
        _failure ??= reason;
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
        }

        _queue.Writer.TryComplete();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already down.
        }

        // Commands written but unanswered: the server may have run them.
        while (_awaiting.TryDequeue(out var waiter))
        {
            waiter.TrySetException(new KeyValueConnectionException($"The connection to {Endpoint} broke: {reason.Message}", reason) { MayHaveRun = true });
        }

        // Commands queued but never written.
        while (_queue.Reader.TryRead(out var pending))
        {
            pending.Reply.TrySetException(new KeyValueConnectionException($"The connection to {Endpoint} broke before the command was sent.", reason));
        }
    }

    private readonly record struct Pending(byte[] Command, TaskCompletionSource<RespFrame> Reply);
}

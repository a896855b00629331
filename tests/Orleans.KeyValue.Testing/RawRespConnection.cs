using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// A bare RESP client for tests: sends exactly the bytes it is given and returns the raw bytes
/// of each reply frame, so replies can be compared byte for byte with <c>redis-server</c>'s.
/// Every read has a time limit and fails showing what had arrived.
/// </summary>
public sealed class RawRespConnection : IAsyncDisposable
{
    /// <summary>How long a read waits for a whole reply unless told otherwise.</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(10);

    private const int InitialBufferSize = 16 * 1024;

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _count;

    private RawRespConnection(TcpClient client, int port, TimeSpan readTimeout)
    {
        _client = client;
        _stream = client.GetStream();
        Port = port;
        ReadTimeout = readTimeout;
    }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>How long each read waits for a whole reply.</summary>
    public TimeSpan ReadTimeout { get; }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<RawRespConnection> ConnectAsync(
        int port,
        TimeSpan? readTimeout = null,
        CancellationToken cancellationToken = default)
    {
        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new RawRespConnection(client, port, readTimeout ?? DefaultReadTimeout);
    }

    /// <summary>The multibulk request for <paramref name="args"/>, each argument UTF-8 encoded.</summary>
    public static byte[] EncodeCommand(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return EncodeCommand(args.Select(Encoding.UTF8.GetBytes).ToArray());
    }

    /// <summary>The multibulk request for <paramref name="args"/>.</summary>
    public static byte[] EncodeCommand(params byte[][] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using var request = new MemoryStream();
        WriteLine(request, '*', args.Length);
        foreach (var arg in args)
        {
            WriteLine(request, '$', arg.Length);
            request.Write(arg);
            request.Write("\r\n"u8);
        }

        return request.ToArray();
    }

    /// <summary>Sends one command as a multibulk request and returns its reply's raw bytes.</summary>
    public Task<byte[]> CommandAsync(params string[] args) => SendRawAsync(EncodeCommand(args));

    /// <summary>Sends one command of raw argument bytes and returns its reply's raw bytes.</summary>
    public Task<byte[]> CommandAsync(params byte[][] args) => SendRawAsync(EncodeCommand(args));

    /// <summary>
    /// Sends <paramref name="bytes"/> as they are (inline commands, pipelines, malformed input)
    /// and returns the first reply frame; read the replies that follow with <see cref="ReadReplyAsync"/>.
    /// </summary>
    public async Task<byte[]> SendRawAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        await WriteRawAsync(bytes, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="bytes"/> as they are and reads nothing.</summary>
    public async Task WriteRawAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The raw bytes of exactly one reply frame: the next one the server sent.</summary>
    public async Task<byte[]> ReadReplyAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadTimeout);
        while (true)
        {
            if (TryGetFrameLength(out var length))
            {
                var reply = _buffer.AsSpan(0, length).ToArray();
                Consume(length);
                return reply;
            }

            int read;
            try
            {
                read = await ReceiveAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"No complete reply from 127.0.0.1:{Port} within {ReadTimeout}; received so far: \"{Pending()}\"");
            }
            catch (IOException e)
            {
                throw new IOException(
                    $"Reading a reply from 127.0.0.1:{Port} failed ({e.Message}); received so far: \"{Pending()}\"", e);
            }

            if (read == 0)
            {
                throw new IOException(
                    $"127.0.0.1:{Port} closed the connection before a whole reply; received so far: \"{Pending()}\"");
            }
        }
    }

    /// <summary>
    /// True when the server closes the connection within <paramref name="within"/>; false when it
    /// is still open then. Bytes that arrive meanwhile are kept for <see cref="ReadReplyAsync"/>.
    /// After false, the connection may be unusable (the pending read was cancelled).
    /// </summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        try
        {
            while (await ReceiveAsync(deadline.Token).ConfigureAwait(false) > 0)
            {
                // Keep reading: only end of stream or a reset says closed.
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return true;
        }
    }

    /// <summary>Bytes received and not yet returned as a reply, escaped for a message.</summary>
    public string Pending() => RespDisplay.Escape(_buffer.AsSpan(0, _count));

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool TryGetFrameLength(out int length)
    {
        length = 0;
        try
        {
            return _count > 0 && RespReplyReader.TryGetFrameLength(_buffer.AsSpan(0, _count), out length);
        }
        catch (RespProtocolException e)
        {
            throw new RespProtocolException($"127.0.0.1:{Port} sent a malformed reply ({e.Message}): \"{Pending()}\"", e);
        }
    }

    private async Task<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_count == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_count), cancellationToken).ConfigureAwait(false);
        _count += read;
        return read;
    }

    private void Consume(int length)
    {
        _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
        _count -= length;
    }

    private static void WriteLine(MemoryStream stream, char prefix, int value)
    {
        stream.WriteByte((byte)prefix);
        stream.Write(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
        stream.Write("\r\n"u8);
    }
}

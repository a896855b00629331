using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// Silo-to-silo messaging: one multiplexed outgoing connection per peer endpoint, opened on
/// first use and reopened after a failure, and the handlers that answer what peers send. A
/// peer that cannot be reached fails requests fast (<see cref="SiloUnavailableException"/>)
/// for a short while instead of making every caller wait for its own connect timeout.
/// </summary>
public sealed partial class SiloTransport : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<SiloChannel>>> _outgoing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unreachableSince = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SiloChannel, byte> _incoming = new();
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>>?[] _handlers = new Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>>?[256];
    private readonly SiloTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    public SiloTransport(IOptions<SiloTransportOptions> options, TimeProvider time, ILogger<SiloTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The options in force.</summary>
    public SiloTransportOptions Options => _options;

    /// <summary>Requests sent since start.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Requests answered since start.</summary>
    public long RequestsReceived => Interlocked.Read(ref _requestsReceived);

    private long _requestsSent;
    private long _requestsReceived;

    /// <summary>Sets the handler of <paramref name="type"/>; its result is the response's payload.</summary>
    public void Handle(SiloMessageType type, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>> handler) =>
        _handlers[(byte)type] = handler;

    /// <summary>Sends a request to the silo listening at <paramref name="endpoint"/> (<c>host:port</c>) and returns its response.</summary>
    /// <exception cref="SiloUnavailableException">The silo cannot be reached or did not answer within the timeout.</exception>
    public async Task<byte[]> SendAsync(string endpoint, SiloMessageType type, ReadOnlyMemory<byte> payload, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var channel = await GetChannelAsync(endpoint, cancellationToken);
        Interlocked.Increment(ref _requestsSent);
        return await channel.RequestAsync(type, payload, timeout ?? _options.RequestTimeout, cancellationToken);
    }

    /// <summary>Closes the outgoing connection to <paramref name="endpoint"/>, if any (a peer declared dead).</summary>
    public void Disconnect(string endpoint)
    {
        if (_outgoing.TryRemove(endpoint, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            lazy.Value.Result.Close();
        }
    }

    /// <summary>Serves one incoming connection until it ends (called by the silo port's connection handler).</summary>
    public async Task ServeAsync(IDuplexPipe pipe, CancellationToken cancellationToken)
    {
        var channel = new SiloChannel(pipe, _options, DispatchAsync);
        _incoming[channel] = 0;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await channel.RunAsync(linked.Token);
        }
        finally
        {
            _incoming.TryRemove(channel, out _);
        }
    }

    /// <summary>Closes every connection, both ways; later sends fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var pair in _outgoing)
        {
            if (pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully)
            {
                pair.Value.Value.Result.Close();
            }
        }

        foreach (var channel in _incoming.Keys)
        {
            channel.Close();
        }

        _outgoing.Clear();
        _stopping.Dispose();
    }

    private ValueTask<byte[]> DispatchAsync(SiloMessageType type, byte[] payload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requestsReceived);
        var handler = _handlers[(byte)type] ?? throw new InvalidOperationException($"No handler for silo message {type}.");
        return handler(payload, cancellationToken);
    }

    private async Task<SiloChannel> GetChannelAsync(string endpoint, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lazy = _outgoing.GetOrAdd(endpoint, e => new Lazy<Task<SiloChannel>>(() => ConnectAsync(e)));
            SiloChannel channel;
            try
            {
                channel = await lazy.Value.WaitAsync(cancellationToken);
            }
            catch (SiloUnavailableException)
            {
                _outgoing.TryRemove(new KeyValuePair<string, Lazy<Task<SiloChannel>>>(endpoint, lazy));
                throw;
            }

            if (!channel.IsClosed)
            {
                return channel;
            }

            // A broken connection: drop it and open a new one.
            _outgoing.TryRemove(new KeyValuePair<string, Lazy<Task<SiloChannel>>>(endpoint, lazy));
        }
    }

    private async Task<SiloChannel> ConnectAsync(string endpoint)
    {
        var now = _time.GetTimestamp();
        if (_unreachableSince.TryGetValue(endpoint, out var since) && _time.GetElapsedTime(since, now) < _options.ConnectTimeout)
        {
            throw new SiloUnavailableException($"Silo {endpoint} was unreachable moments ago.");
        }

        var (host, port) = SplitEndpoint(endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            await socket.ConnectAsync(new DnsEndPoint(host, port), linked.Token);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            _unreachableSince[endpoint] = _time.GetTimestamp();
            LogUnreachable(endpoint, exception.Message);
            throw new SiloUnavailableException($"Silo {endpoint} cannot be reached: {exception.Message}", exception);
        }

        _unreachableSince.TryRemove(endpoint, out _);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var pipe = new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        var channel = new SiloChannel(pipe, _options, DispatchAsync);
        _ = RunOutgoingAsync(endpoint, channel, stream);
        return channel;
    }

    private async Task RunOutgoingAsync(string endpoint, SiloChannel channel, NetworkStream stream)
    {
        try
        {
            await channel.RunAsync(_stopping.Token);
        }
        finally
        {
            await stream.DisposeAsync();
            LogClosed(endpoint);
        }
    }

    private static (string Host, int Port) SplitEndpoint(string endpoint) =>
        SiloEndpoint.TryParse(endpoint, out var host, out var port) ? (host, port) : throw new FormatException($"'{endpoint}' is not host:port.");

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Silo {Endpoint} is unreachable: {Reason}")]
    private partial void LogUnreachable(string endpoint, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Connection to silo {Endpoint} closed")]
    private partial void LogClosed(string endpoint);

    private sealed class StreamPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

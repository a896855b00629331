using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

/// <summary>
/// A client of an Orleans.KeyValue cluster (or of any Redis-protocol server), in the role of
/// Orleans's <c>IClusterClient</c>. Thread-safe: any number of concurrent callers share one
/// pipelined, multiplexed RESP3 connection. When the connection breaks, the next call reconnects,
/// trying the configured gateways in turn (failover). A command that may have reached the
/// server before a failure is never resent: the caller gets a
/// <see cref="KeyValueConnectionException"/> with <see cref="KeyValueConnectionException.MayHaveRun"/>.
/// </summary>
public sealed partial class KeyValueClient : IAsyncDisposable
{
    private readonly KeyValueClientOptions _options;
    private readonly ILogger _logger;
    private readonly TlsConnector? _tls;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private volatile RespConnection? _connection;
    private int _nextEndpoint;
    private bool _disposed;

    public KeyValueClient(KeyValueClientOptions options, ILogger<KeyValueClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint (host:port) is needed.", nameof(options));
        }

        foreach (var endpoint in options.Endpoints)
        {
            RespConnection.ParseEndpoint(endpoint);
        }

        _options = options;
        _tls = TlsConnector.Create(options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Connects to the first reachable endpoint of <paramref name="options"/>.</summary>
    public static async Task<KeyValueClient> ConnectAsync(KeyValueClientOptions options, ILogger<KeyValueClient>? logger = null, CancellationToken cancellationToken = default)
    {
        var client = new KeyValueClient(options, logger);
        await client.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>Connects to <c>host:port</c> endpoints, e.g. <c>ConnectAsync("127.0.0.1:6379")</c>.</summary>
    public static Task<KeyValueClient> ConnectAsync(params string[] endpoints)
    {
        var options = new KeyValueClientOptions();
        foreach (var endpoint in endpoints)
        {
            options.Endpoints.Add(endpoint);
        }

        return ConnectAsync(options);
    }

    /// <summary>The gateway in use, or null before the first connection.</summary>
    public string? CurrentEndpoint => _connection?.Endpoint;

    /// <summary>Runs any command and returns its raw reply; an error reply throws <see cref="KeyValueException"/>.</summary>
    public async Task<RespFrame> ExecuteAsync(string command, IEnumerable<object> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(arguments);
        List<object> all = [command, .. arguments];
        var reply = await SendAsync(CommandEncoder.Encode(all), timeout, cancellationToken).ConfigureAwait(false);
        return reply.Type is RespFrameType.Error or RespFrameType.BlobError ? throw new KeyValueException(reply.Text) : reply;
    }

    /// <summary>Runs any command, e.g. <c>ExecuteAsync("INCR", "counter")</c>.</summary>
    public Task<RespFrame> ExecuteAsync(string command, params object[] arguments) => ExecuteAsync(command, arguments, null, default);

    /// <summary>PING: the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ExecuteAsync("PING", [], null, cancellationToken).ConfigureAwait(false);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var routed in _routed.Values)
        {
            if (routed.IsCompletedSuccessfully)
            {
                await routed.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        _connecting.Dispose();
    }

    private async Task<RespFrame> SendAsync(byte[] command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var time = timeout ?? _options.CommandTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await connection.SendAsync(command, time, cancellationToken).ConfigureAwait(false);
            }
            catch (KeyValueConnectionException exception) when (!exception.MayHaveRun && attempt < _options.Endpoints.Count)
            {
                // Never sent: safe to send on a new connection (failover).
                LogRetrying(connection.Endpoint, exception.Message);
            }
        }
    }

    private async Task<RespConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var current = _connection;
        if (current is { IsClosed: false })
        {
            return current;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _connection;
            if (current is { IsClosed: false })
            {
                return current;
            }

            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
                _nextEndpoint++;
            }

            List<Exception> failures = [];
            for (var i = 0; i < _options.Endpoints.Count; i++)
            {
                var endpoint = _options.Endpoints[(_nextEndpoint + i) % _options.Endpoints.Count];
                try
                {
                    var connection = await RespConnection.OpenAsync(endpoint, _options.ConnectTimeout, _options.MaxPendingCommands, _tls, cancellationToken).ConfigureAwait(false);
                    await HandshakeAsync(connection, cancellationToken).ConfigureAwait(false);
                    _nextEndpoint = (_nextEndpoint + i) % _options.Endpoints.Count;
                    _connection = connection;
                    LogConnected(endpoint);
                    return connection;
                }
                catch (KeyValueConnectionException exception)
                {
                    failures.Add(exception);
                    LogConnectFailed(endpoint, exception.Message);
                }
            }

            throw new KeyValueConnectionException(
                "No gateway could be reached: " + string.Join("; ", failures.Select(f => f.Message)),
                new AggregateException(failures));
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>HELLO 3 with AUTH and SETNAME: RESP3 from here on.</summary>
    private async Task HandshakeAsync(RespConnection connection, CancellationToken cancellationToken)
    {
        List<object> hello = ["HELLO", "3"];
        if (_options.Password is { } password)
        {
            hello.AddRange(["AUTH", _options.User ?? "default", password]);
        }

        if (_options.ClientName is { Length: > 0 } name)
        {
            hello.AddRange(["SETNAME", name]);
        }

        var reply = await connection.SendAsync(CommandEncoder.Encode(hello), _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.Type is RespFrameType.Error or RespFrameType.BlobError)
        {
            await connection.DisposeAsync().ConfigureAwait(false);

            // A wrong password is not a connection problem: say it as the server did.
            throw new KeyValueException(reply.Text);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Connected to {Endpoint}")]
    private partial void LogConnected(string endpoint);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Cannot connect to {Endpoint}: {Reason}")]
    private partial void LogConnectFailed(string endpoint, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Connection to {Endpoint} lost before the command was sent ({Reason}); retrying on another connection")]
    private partial void LogRetrying(string endpoint, string reason);
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// The store's silo-to-silo messages over Orleans: a message goes to the target silo's
/// <see cref="ISiloMessageService"/> as a grain-service call (Orleans carries it, on the silo
/// connections it keeps), and the handler registered there for its type answers. Payloads are
/// our own compact frames (<see cref="WireWriter"/>).
/// </summary>
public sealed class SiloMessenger(IServiceProvider services, IOptions<SiloTransportOptions> options)
{
    private readonly Dictionary<SiloMessageType, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>>> _handlers = [];
    private SiloMessageClient? _client;
    private long _sent;
    private long _received;

    /// <summary>How long a message waits for its answer by default.</summary>
    public TimeSpan RequestTimeout { get; } = options.Value.RequestTimeout;

    /// <summary>Messages sent since start.</summary>
    public long RequestsSent => Interlocked.Read(ref _sent);

    /// <summary>Messages received since start.</summary>
    public long RequestsReceived => Interlocked.Read(ref _received);

    /// <summary>Registers the handler of <paramref name="type"/> (once, at start).</summary>
    public void Handle(SiloMessageType type, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>> handler)
    {
        lock (_handlers)
        {
            _handlers[type] = handler;
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="silo"/> and returns its handler's answer.
    /// Throws <see cref="SiloUnreachableException"/> when no answer came (it may have run there).
    /// </summary>
    public async Task<byte[]> SendAsync(SiloAddress silo, SiloMessageType type, ReadOnlyMemory<byte> payload, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _client ??= services.GetRequiredService<SiloMessageClient>();
        Interlocked.Increment(ref _sent);
        try
        {
            return await _client.On(silo).ReceiveAsync(type, payload.ToArray()).WaitAsync(timeout ?? RequestTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            throw new SiloUnreachableException($"Silo {silo} did not answer a {type} message.", exception);
        }
    }

    internal async Task<byte[]> DispatchAsync(SiloMessageType type, byte[] payload)
    {
        Interlocked.Increment(ref _received);
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<byte[]>>? handler;
        lock (_handlers)
        {
            _handlers.TryGetValue(type, out handler);
        }

        if (handler is null)
        {
            throw new InvalidOperationException($"No handler for {type} messages on this silo.");
        }

        return await handler(payload, CancellationToken.None);
    }
}

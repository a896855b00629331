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
    private Func<SiloAddress, bool> _declaredDead = static _ => false;
    private SiloAddress? _me;
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
    /// Refuses every message from a silo for which <paramref name="declaredDead"/> is true: a
    /// message that a silo sent before it was declared dead (cut off or paused meanwhile) and that
    /// arrives only now must not act on a cluster that has moved on without it. Its sender has
    /// already given up on it (and told its client the outcome is unknown).
    /// </summary>
    public void RefuseFrom(Func<SiloAddress, bool> declaredDead) => _declaredDead = declaredDead;

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="silo"/> and returns its handler's answer.
    /// Throws <see cref="SiloUnreachableException"/> when no answer came (it may have run there).
    /// </summary>
    public async Task<byte[]> SendAsync(SiloAddress silo, SiloMessageType type, ReadOnlyMemory<byte> payload, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _client ??= services.GetRequiredService<SiloMessageClient>();
        _me ??= services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        Interlocked.Increment(ref _sent);
        try
        {
            return await _client.On(silo).ReceiveAsync(type, payload.ToArray(), _me).WaitAsync(timeout ?? RequestTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            throw new SiloUnreachableException($"Silo {silo} did not answer a {type} message.", exception);
        }
    }

    internal async Task<byte[]> DispatchAsync(SiloMessageType type, byte[] payload, SiloAddress sender)
    {
        Interlocked.Increment(ref _received);
        if (_declaredDead(sender))
        {
            // Thrown back to the sender as an Orleans error: it reads as "no answer".
            throw new OrleansException($"A {type} message from {sender}, which this silo's view says was declared dead, is refused.");
        }

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

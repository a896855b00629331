using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>The receiving end of <see cref="SiloMessenger"/> on every silo.</summary>
[Reentrant]
internal sealed class SiloMessageService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, SiloMessenger messenger)
    : GrainService(grainId, silo, loggerFactory), ISiloMessageService
{
    // Reentrant: handlers are thread-safe and some wait (a forwarded command for a slot moving
    // in waits for its keys); one waiting message must not hold up the others.
    public Task<byte[]> ReceiveAsync(SiloMessageType type, byte[] payload, SiloAddress sender) => messenger.DispatchAsync(type, payload, sender);
}

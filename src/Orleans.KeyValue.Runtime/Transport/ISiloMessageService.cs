using Orleans.Services;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// One per silo (an Orleans grain service): receives the store's silo-to-silo messages (forwarded
/// commands, hand-overs, cluster-wide commands, dashboard queries) over Orleans's messaging.
/// </summary>
[Alias("kv.ISiloMessageService")]
public interface ISiloMessageService : IGrainService
{
    /// <summary>
    /// Runs the handler for <paramref name="type"/> on <paramref name="payload"/> and returns its
    /// answer; refused when this silo's view says <paramref name="sender"/> was declared dead.
    /// </summary>
    [Alias("receive")]
    Task<byte[]> ReceiveAsync(SiloMessageType type, [Immutable] byte[] payload, SiloAddress sender);
}

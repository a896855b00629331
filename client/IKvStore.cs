using Orleans.KeyValue.Client;

namespace Orleans.KeyValue.Cli;

/// <summary>
/// The store as kv's one-shot commands use it: over RESP (<see cref="RespStore"/>) or through the
/// Orleans client (<see cref="OrleansStore"/>). The commands print the same either way.
/// </summary>
internal interface IKvStore
{
    /// <summary>SET: true when written.</summary>
    Task<bool> SetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken);

    /// <summary>SET ... GET: the old value, null when there was none.</summary>
    Task<byte[]?> SetAndGetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken);

    /// <summary>GET: the value, null when the key does not exist.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>DEL: how many of the keys existed.</summary>
    Task<long> DeleteAsync(string[] keys, CancellationToken cancellationToken);

    /// <summary>TTL: seconds left, -1 with no deadline, -2 when the key does not exist.</summary>
    Task<long> TimeToLiveAsync(string key, CancellationToken cancellationToken);
}

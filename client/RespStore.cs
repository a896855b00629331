using Orleans.KeyValue.Client;

namespace Orleans.KeyValue.Cli;

/// <summary>The store over RESP, through the SDK.</summary>
internal sealed class RespStore(KeyValueClient client) : IKvStore
{
    public Task<bool> SetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken) =>
        client.SetAsync(key, value, expiry, when, cancellationToken);

    public Task<byte[]?> SetAndGetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken) =>
        client.SetAndGetAsync(key, value, expiry, when, cancellationToken);

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => client.GetAsync(key, cancellationToken);

    public Task<long> DeleteAsync(string[] keys, CancellationToken cancellationToken) => client.DeleteAsync(keys, cancellationToken);

    public async Task<long> TimeToLiveAsync(string key, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync("TTL", [key], null, cancellationToken)).Integer;
}

using Orleans.KeyValue.Client;
using Orleans.KeyValue.Client.Orleans;

namespace Orleans.KeyValue.Cli;

/// <summary>The store through the Orleans client: the same key grains the RESP gateway calls.</summary>
internal sealed class OrleansStore(KeyValueGrainClient client) : IKvStore
{
    public Task<bool> SetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken) =>
        client.SetAsync(key, value, ToKeyExpiry(expiry), ToCondition(when), cancellationToken);

    public Task<byte[]?> SetAndGetAsync(string key, byte[] value, Expiry expiry, SetWhen when, CancellationToken cancellationToken) =>
        client.SetAndGetAsync(key, value, ToKeyExpiry(expiry), ToCondition(when), cancellationToken);

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => client.GetAsync(key, cancellationToken);

    public Task<long> DeleteAsync(string[] keys, CancellationToken cancellationToken) => client.DeleteAsync(keys, cancellationToken);

    public Task<long> TimeToLiveAsync(string key, CancellationToken cancellationToken) => client.TimeToLiveAsync(key, cancellationToken);

    private static KeyExpiry ToKeyExpiry(Expiry expiry) => expiry.Kind switch
    {
        ExpiryKind.After => KeyExpiry.In(expiry.After),
        ExpiryKind.At => KeyExpiry.AtTime(expiry.At),
        ExpiryKind.Keep => KeyExpiry.Keep,
        _ => KeyExpiry.Never,
    };

    private static SetCondition ToCondition(SetWhen when) => when switch
    {
        SetWhen.NotExists => SetCondition.IfNotExists,
        SetWhen.Exists => SetCondition.IfExists,
        _ => SetCondition.Always,
    };
}

namespace Orleans.KeyValue.Client;

/// <summary>
/// A held lock on a resource (see <see cref="KeyValueClient.TryAcquireLockAsync"/>): the
/// Redis docs' pattern (<c>SET resource token NX PX ttl</c>, released only by its holder)
/// plus a fencing token. Disposing releases it.
/// </summary>
public sealed class DistributedLock : IAsyncDisposable
{
    private readonly KeyValueClient _client;
    private int _released;

    internal DistributedLock(KeyValueClient client, string resource, string token, long fencingToken, DateTimeOffset validUntil)
    {
        _client = client;
        Resource = resource;
        Token = token;
        FencingToken = fencingToken;
        ValidUntil = validUntil;
    }

    /// <summary>The locked resource (the lock's key).</summary>
    public string Resource { get; }

    /// <summary>This holder's random 128-bit token (the lock key's value).</summary>
    public string Token { get; }

    /// <summary>
    /// Strictly larger than the fencing token of every earlier acquisition of this resource, also
    /// across expiry and release. Send it with every write to the protected service and have the
    /// service refuse a token smaller than the largest it has seen: a holder whose lock expired
    /// while it was paused is then refused instead of overwriting its successor's work.
    /// </summary>
    public long FencingToken { get; }

    /// <summary>The lock is surely held until this time by the client's clock (the server's deadline minus the time the acquisition took).</summary>
    public DateTimeOffset ValidUntil { get; private set; }

    /// <summary>Extends the lock to <paramref name="ttl"/> from now; false when it is no longer held (expired and maybe taken).</summary>
    public async Task<bool> ExtendAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.UtcNow;
        if (!await _client.ExtendLockAsync(Resource, Token, ttl, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        ValidUntil = started + ttl;
        return true;
    }

    /// <summary>Releases the lock if this holder still has it; false when it had already expired (and maybe been taken).</summary>
    public async Task<bool> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return false;
        }

        return await _client.ReleaseLockAsync(Resource, Token, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);
}

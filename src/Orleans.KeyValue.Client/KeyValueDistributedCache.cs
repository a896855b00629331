using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;

namespace Orleans.KeyValue.Client;

/// <summary>
/// <see cref="IDistributedCache"/> on the store. An entry is one key: a 17-byte header (format
/// version, absolute deadline, sliding window, in Unix milliseconds; 0 for none) followed by
/// the value, with the key's deadline set to the nearer of the two, so the server reclaims
/// expired entries by itself. Reads of a sliding entry push its deadline forward.
/// </summary>
public sealed class KeyValueDistributedCache(KeyValueClient client, string prefix = "") : IDistributedCache
{
    private const byte FormatVersion = 1;
    private const int HeaderLength = 17;

    public byte[]? Get(string key) => throw SyncNotSupported();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var stored = await client.GetAsync(prefix + key, token).ConfigureAwait(false);
        if (stored is null || !TryParse(stored, out var absolute, out var sliding))
        {
            return null;
        }

        if (sliding > 0)
        {
            await RefreshDeadlineAsync(key, absolute, sliding, token).ConfigureAwait(false);
        }

        return stored.AsSpan(HeaderLength).ToArray();
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw SyncNotSupported();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var now = DateTimeOffset.UtcNow;
        var absolute = options.AbsoluteExpiration?.ToUnixTimeMilliseconds()
            ?? (options.AbsoluteExpirationRelativeToNow is { } relative ? (now + relative).ToUnixTimeMilliseconds() : 0);
        var sliding = (long)(options.SlidingExpiration?.TotalMilliseconds ?? 0);
        var stored = new byte[HeaderLength + value.Length];
        stored[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(1), absolute);
        BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(9), sliding);
        value.CopyTo(stored, HeaderLength);
        var expiry = Deadline(now, absolute, sliding) is { } deadline ? Expiry.AtTime(deadline) : Expiry.Never;
        await client.SetAsync(prefix + key, stored, expiry, SetWhen.Always, token).ConfigureAwait(false);
    }

    public void Refresh(string key) => throw SyncNotSupported();

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var stored = await client.GetAsync(prefix + key, token).ConfigureAwait(false);
        if (stored is not null && TryParse(stored, out var absolute, out var sliding) && sliding > 0)
        {
            await RefreshDeadlineAsync(key, absolute, sliding, token).ConfigureAwait(false);
        }
    }

    public void Remove(string key) => throw SyncNotSupported();

    public async Task RemoveAsync(string key, CancellationToken token = default) =>
        await client.DeleteAsync(prefix + key, token).ConfigureAwait(false);

    private async Task RefreshDeadlineAsync(string key, long absolute, long sliding, CancellationToken token)
    {
        if (Deadline(DateTimeOffset.UtcNow, absolute, sliding) is { } deadline)
        {
            await client.ExpireAtAsync(prefix + key, deadline, token).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset? Deadline(DateTimeOffset now, long absolute, long sliding)
    {
        long? deadline = null;
        if (sliding > 0)
        {
            deadline = (now + TimeSpan.FromMilliseconds(sliding)).ToUnixTimeMilliseconds();
        }

        if (absolute > 0)
        {
            deadline = deadline is { } d ? Math.Min(d, absolute) : absolute;
        }

        return deadline is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    private static bool TryParse(byte[] stored, out long absolute, out long sliding)
    {
        absolute = sliding = 0;
        if (stored.Length < HeaderLength || stored[0] != FormatVersion)
        {
            return false;
        }

        absolute = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(1));
        sliding = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(9));
        return true;
    }

    // The store is reached over the network: blocking a thread on it is what the SDK never does.
    private static NotSupportedException SyncNotSupported() =>
        new("The Orleans.KeyValue cache is asynchronous only: use the ...Async methods (no sync-over-async).");
}

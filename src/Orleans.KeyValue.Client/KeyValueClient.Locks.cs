using System.Security.Cryptography;

namespace Orleans.KeyValue.Client;

// Locks: the Redis docs' single-instance pattern, with fencing tokens.
public sealed partial class KeyValueClient
{
    // Compare-and-delete and compare-and-extend: one key each, so each is atomic in its grain.
    private const string ReleaseScript = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";
    private const string ExtendScript = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end";

    // The fence counter of a resource: a key of its own that never expires.
    private const string NextFenceScript = "local n = tonumber(redis.call('get',KEYS[1]) or '0') + 1 redis.call('set',KEYS[1],tostring(n)) return n";

    private static readonly TimeSpan MinBackOff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMilliseconds(250);
    private int _delexMissing;

    /// <summary>The key that holds <paramref name="resource"/>'s fencing counter.</summary>
    public static string FenceKey(string resource) => resource + ":fence";

    /// <summary>
    /// Acquires the lock on <paramref name="resource"/> for <paramref name="ttl"/>, waiting up to
    /// <paramref name="wait"/> (with back-off) while another holder has it. Null when it could
    /// not be had in time.
    /// </summary>
    public async Task<DistributedLock?> TryAcquireLockAsync(string resource, TimeSpan ttl, TimeSpan wait = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), "A lock needs a positive time to live.");
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var giveUp = DateTimeOffset.UtcNow + wait;
        var backOff = MinBackOff;
        while (true)
        {
            var started = DateTimeOffset.UtcNow;
            if (await SetAsync(resource, System.Text.Encoding.UTF8.GetBytes(token), Expiry.In(ttl), SetWhen.NotExists, cancellationToken).ConfigureAwait(false))
            {
                // The fence is drawn while holding the lock and checked after: holders' holding
                // times do not overlap, so their fences grow in the order they held the lock.
                var fence = (await EvaluateAsync(NextFenceScript, [FenceKey(resource)], [], cancellationToken).ConfigureAwait(false)).Integer;
                if (await GetStringAsync(resource, cancellationToken).ConfigureAwait(false) == token)
                {
                    return new DistributedLock(this, resource, token, fence, started + ttl);
                }
            }

            var now = DateTimeOffset.UtcNow;
            if (now >= giveUp)
            {
                return null;
            }

            // Exponential back-off with jitter, never past the deadline.
            var delay = TimeSpan.FromTicks(Math.Min((giveUp - now).Ticks, Random.Shared.NextInt64(backOff.Ticks / 2, backOff.Ticks + 1)));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
        }
    }

    /// <summary>Acquires the lock, waiting up to <paramref name="wait"/>; throws <see cref="TimeoutException"/> when it cannot.</summary>
    public async Task<DistributedLock> AcquireLockAsync(string resource, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken = default) =>
        await TryAcquireLockAsync(resource, ttl, wait, cancellationToken).ConfigureAwait(false)
        ?? throw new TimeoutException($"The lock on '{resource}' was not free within {wait}.");

    /// <summary>Releases the lock on <paramref name="resource"/> if <paramref name="token"/> holds it (for holders that only kept the token, such as the kv tool).</summary>
    public async Task<bool> ReleaseLockAsync(string resource, string token, CancellationToken cancellationToken = default)
    {
        // Redis 8.4's DELEX ... IFEQ does it in one command; older servers run the script.
        if (Volatile.Read(ref _delexMissing) == 0)
        {
            try
            {
                return (await ExecuteKeyedAsync(resource, "DELEX", [resource, "IFEQ", token], cancellationToken).ConfigureAwait(false)).Integer == 1;
            }
            catch (KeyValueException exception) when (exception.Message.StartsWith("ERR unknown command", StringComparison.Ordinal))
            {
                Volatile.Write(ref _delexMissing, 1);
            }
        }

        return (await EvaluateAsync(ReleaseScript, [resource], [token], cancellationToken).ConfigureAwait(false)).Integer == 1;
    }

    internal async Task<bool> ExtendLockAsync(string resource, string token, TimeSpan ttl, CancellationToken cancellationToken) =>
        (await EvaluateAsync(ExtendScript, [resource], [token, (long)Math.Ceiling(ttl.TotalMilliseconds)], cancellationToken).ConfigureAwait(false)).Integer == 1;
}

using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

// The typed commands.
public sealed partial class KeyValueClient
{
    /// <summary>
    /// SET: writes <paramref name="value"/> under <paramref name="key"/> when
    /// <paramref name="when"/> allows, with <paramref name="expiry"/>. True when written.
    /// </summary>
    public async Task<bool> SetAsync(string key, ReadOnlyMemory<byte> value, Expiry expiry = default, SetWhen when = SetWhen.Always, CancellationToken cancellationToken = default)
    {
        var reply = await ExecuteKeyedAsync(key, "SET", SetArguments(key, value, expiry, when, returnOld: false), cancellationToken).ConfigureAwait(false);
        return reply.Type != RespFrameType.Null;
    }

    /// <summary>SET of a UTF-8 string.</summary>
    public Task<bool> SetAsync(string key, string value, Expiry expiry = default, SetWhen when = SetWhen.Always, CancellationToken cancellationToken = default) =>
        SetAsync(key, Encoding.UTF8.GetBytes(value), expiry, when, cancellationToken);

    /// <summary>SET ... GET: writes as <see cref="SetAsync(string, ReadOnlyMemory{byte}, Expiry, SetWhen, CancellationToken)"/> and returns the old value (null when there was none).</summary>
    public async Task<byte[]?> SetAndGetAsync(string key, ReadOnlyMemory<byte> value, Expiry expiry = default, SetWhen when = SetWhen.Always, CancellationToken cancellationToken = default)
    {
        var reply = await ExecuteKeyedAsync(key, "SET", SetArguments(key, value, expiry, when, returnOld: true), cancellationToken).ConfigureAwait(false);
        return reply.Type == RespFrameType.Null ? null : reply.Bytes;
    }

    /// <summary>GET: the value, or null when the key does not exist.</summary>
    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await ExecuteKeyedAsync(key, "GET", [key], cancellationToken).ConfigureAwait(false);
        return reply.Type == RespFrameType.Null ? null : reply.Bytes;
    }

    /// <summary>GET as a UTF-8 string.</summary>
    public async Task<string?> GetStringAsync(string key, CancellationToken cancellationToken = default) =>
        await GetAsync(key, cancellationToken).ConfigureAwait(false) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>GETDEL: the value, removed; null when there was none.</summary>
    public async Task<byte[]?> GetDeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await ExecuteKeyedAsync(key, "GETDEL", [key], cancellationToken).ConfigureAwait(false);
        return reply.Type == RespFrameType.Null ? null : reply.Bytes;
    }

    /// <summary>DEL: how many of <paramref name="keys"/> existed and were removed.</summary>
    public async Task<long> DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync("DEL", keys.Cast<object>(), null, cancellationToken).ConfigureAwait(false)).Integer;

    /// <summary>DEL of one key: true when it existed.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "DEL", [key], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>EXISTS: how many of <paramref name="keys"/> exist (a key named twice counts twice).</summary>
    public async Task<long> ExistsAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync("EXISTS", keys.Cast<object>(), null, cancellationToken).ConfigureAwait(false)).Integer;

    /// <summary>EXISTS of one key.</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "EXISTS", [key], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>PEXPIRE: true when the key exists and the deadline was set.</summary>
    public async Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "PEXPIRE", [key, (long)Math.Ceiling(ttl.TotalMilliseconds)], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>PEXPIREAT: true when the key exists and the deadline was set (a past deadline deletes).</summary>
    public async Task<bool> ExpireAtAsync(string key, DateTimeOffset deadline, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "PEXPIREAT", [key, deadline.ToUnixTimeMilliseconds()], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>PERSIST: true when a deadline was removed.</summary>
    public async Task<bool> PersistAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "PERSIST", [key], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>PTTL: the time left; null when the key does not exist or has no deadline (see <see cref="ExistsAsync(string, CancellationToken)"/>).</summary>
    public async Task<TimeSpan?> GetTimeToLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        var ms = (await ExecuteKeyedAsync(key, "PTTL", [key], cancellationToken).ConfigureAwait(false)).Integer;
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>EVAL: runs a Lua script; its reply as a frame.</summary>
    public Task<RespFrame> EvaluateAsync(string script, IReadOnlyList<string> keys, IReadOnlyList<object> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(arguments);
        return keys.Count > 0
            ? ExecuteKeyedAsync(keys[0], "EVAL", [script, keys.Count, .. keys, .. arguments], cancellationToken)
            : ExecuteAsync("EVAL", [script, keys.Count, .. keys, .. arguments], null, cancellationToken);
    }

    /// <summary>SCRIPT LOAD: the script's SHA1, for <see cref="EvaluateShaAsync"/>.</summary>
    public async Task<string> LoadScriptAsync(string script, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync("SCRIPT", ["LOAD", script], null, cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>EVALSHA.</summary>
    public Task<RespFrame> EvaluateShaAsync(string sha, IReadOnlyList<string> keys, IReadOnlyList<object> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(arguments);
        return keys.Count > 0
            ? ExecuteKeyedAsync(keys[0], "EVALSHA", [sha, keys.Count, .. keys, .. arguments], cancellationToken)
            : ExecuteAsync("EVALSHA", [sha, keys.Count, .. keys, .. arguments], null, cancellationToken);
    }

    /// <summary>DBSIZE: keys in the whole cluster.</summary>
    public async Task<long> CountKeysAsync(CancellationToken cancellationToken = default) =>
        (await ExecuteAsync("DBSIZE", [], null, cancellationToken).ConfigureAwait(false)).Integer;

    private static List<object> SetArguments(string key, ReadOnlyMemory<byte> value, Expiry expiry, SetWhen when, bool returnOld)
    {
        ArgumentNullException.ThrowIfNull(key);
        List<object> arguments = [key, value];
        switch (when)
        {
            case SetWhen.NotExists:
                arguments.Add("NX");
                break;
            case SetWhen.Exists:
                arguments.Add("XX");
                break;
        }

        if (returnOld)
        {
            arguments.Add("GET");
        }

        expiry.AppendTo(arguments);
        return arguments;
    }

}

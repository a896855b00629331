using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

// Redis 8.4's conditional commands: compare-and-set and compare-and-delete without a script.
public sealed partial class KeyValueClient
{
    /// <summary>
    /// SET ... IFEQ: writes <paramref name="value"/> only when the key holds exactly
    /// <paramref name="expected"/> (never creates a missing key). True when written.
    /// </summary>
    public async Task<bool> SetIfEqualAsync(string key, ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> expected, Expiry expiry = default, CancellationToken cancellationToken = default)
    {
        List<object> arguments = [key, value, "IFEQ", expected];
        expiry.AppendTo(arguments);
        return (await ExecuteKeyedAsync(key, "SET", arguments, cancellationToken).ConfigureAwait(false)).Type != RespFrameType.Null;
    }

    /// <summary>
    /// SET ... IFDEQ: writes only when the key's value has the digest <paramref name="digest"/>
    /// (from <see cref="GetDigestAsync"/>): optimistic concurrency without sending the old value.
    /// </summary>
    public async Task<bool> SetIfDigestAsync(string key, ReadOnlyMemory<byte> value, string digest, Expiry expiry = default, CancellationToken cancellationToken = default)
    {
        List<object> arguments = [key, value, "IFDEQ", digest];
        expiry.AppendTo(arguments);
        return (await ExecuteKeyedAsync(key, "SET", arguments, cancellationToken).ConfigureAwait(false)).Type != RespFrameType.Null;
    }

    /// <summary>DELEX ... IFEQ: deletes the key only when it holds exactly <paramref name="expected"/>. True when deleted.</summary>
    public async Task<bool> DeleteIfEqualAsync(string key, ReadOnlyMemory<byte> expected, CancellationToken cancellationToken = default) =>
        (await ExecuteKeyedAsync(key, "DELEX", [key, "IFEQ", expected], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>DIGEST: the XXH3-64 of the value as 16 hex digits, or null when the key does not exist.</summary>
    public async Task<string?> GetDigestAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await ExecuteKeyedAsync(key, "DIGEST", [key], cancellationToken).ConfigureAwait(false);
        return reply.Type == RespFrameType.Null ? null : Encoding.ASCII.GetString(reply.Bytes ?? []);
    }
}

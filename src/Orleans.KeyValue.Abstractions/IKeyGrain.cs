namespace Orleans.KeyValue;

/// <summary>
/// The grain of one Redis key. Its grain key is the Redis key's bytes (UTF-8 for a string key;
/// <see cref="KeyGrainFactoryExtensions.GetKeyGrain(IGrainFactory, ReadOnlySpan{byte})"/> takes
/// any bytes). Calls to one key run one at a time, so every method, a script included, is
/// atomic for its key. Replies are Redis's, error texts included; the RESP gateway writes them
/// to its clients unchanged, so a service calling this interface through an Orleans client sees
/// what a Redis client sees.
/// </summary>
[Alias("kv.IKeyGrain")]
public interface IKeyGrain : IGrainWithStringKey
{
    /// <summary>GET.</summary>
    [Alias("get")]
    ValueTask<KvReply> GetAsync();

    /// <summary>SET with every option (SETNX, SETEX and PSETEX map onto it).</summary>
    [Alias("set")]
    ValueTask<KvReply> SetAsync(SetRequest request);

    /// <summary>GETDEL.</summary>
    [Alias("getdel")]
    ValueTask<KvReply> GetDeleteAsync();

    /// <summary>GETEX: reads the value and applies the request's expiry.</summary>
    [Alias("getex")]
    ValueTask<KvReply> GetAndExpireAsync(GetExRequest request);

    /// <summary>DEL of this key: 1 when it existed.</summary>
    [Alias("del")]
    ValueTask<KvReply> DeleteAsync();

    /// <summary>DELEX (Redis 8.4): deletes when the request's condition holds; 1 when deleted, else 0 or an error.</summary>
    [Alias("delex")]
    ValueTask<KvReply> DeleteIfAsync(DeleteIfRequest request);

    /// <summary>DIGEST (Redis 8.4): the XXH3-64 of the string value as 16 lowercase hex digits, or nil.</summary>
    [Alias("digest")]
    ValueTask<KvReply> DigestAsync();

    /// <summary>EXISTS of this key: 1 when it exists.</summary>
    [Alias("exists")]
    ValueTask<KvReply> ExistsAsync();

    /// <summary>EXPIRE family with an absolute deadline in Unix milliseconds; 1 when applied (a past deadline deletes).</summary>
    [Alias("expireat")]
    ValueTask<KvReply> ExpireAtAsync(long deadlineMs, ExpireCondition condition);

    /// <summary>PERSIST: 1 when a deadline was removed.</summary>
    [Alias("persist")]
    ValueTask<KvReply> PersistAsync();

    /// <summary>TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 missing, -1 no deadline, else the time.</summary>
    [Alias("ttl")]
    ValueTask<KvReply> TimeToLiveAsync(bool milliseconds, bool absolute);

    /// <summary>TYPE: the status <c>none</c>, <c>string</c> or <c>hash</c>.</summary>
    [Alias("type")]
    ValueTask<KvReply> TypeAsync();

    /// <summary>
    /// The string commands of one key beyond GET and SET: APPEND, INCR/DECR/INCRBY/DECRBY,
    /// INCRBYFLOAT, GETRANGE/SUBSTR, SETRANGE, STRLEN (see <see cref="StringOperation"/>).
    /// </summary>
    [Alias("string")]
    ValueTask<KvReply> StringAsync(StringRequest request);

    /// <summary>The hash commands of this key (see <see cref="HashOperation"/>).</summary>
    [Alias("hash")]
    ValueTask<KvReply> HashAsync(HashRequest request);

    /// <summary>
    /// EVAL/EVALSHA of a script whose keys are all this grain's key: the script runs inside this
    /// grain's turn, so nothing else touches the key while it runs.
    /// </summary>
    [Alias("eval")]
    ValueTask<KvReply> EvalAsync(ScriptRequest request);
}

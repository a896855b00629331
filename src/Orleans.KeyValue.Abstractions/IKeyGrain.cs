namespace Orleans.KeyValue;

/// <summary>
/// The grain of one key (Orleans: <c>IGrainWithStringKey</c>, keyed by the key's bytes). Every
/// method runs inside the grain's turn; callers reach it through the grain runtime, never
/// directly, so calls to one key never overlap. Replies are Redis's.
/// </summary>
public interface IKeyGrain
{
    /// <summary>GET.</summary>
    KvReply Get();

    /// <summary>SET with every option (SETNX, SETEX and PSETEX map onto it).</summary>
    KvReply Set(in SetRequest request);

    /// <summary>GETDEL.</summary>
    KvReply GetDelete();

    /// <summary>GETEX: reads the value and applies the request's expiry.</summary>
    KvReply GetAndExpire(in GetExRequest request);

    /// <summary>DEL of this key: 1 when it existed.</summary>
    long Delete();

    /// <summary>DELEX (Redis 8.4): deletes when the request's condition holds; 1 when deleted, else 0 or an error.</summary>
    KvReply DeleteIf(in DeleteIfRequest request);

    /// <summary>DIGEST (Redis 8.4): the XXH3-64 of the string value as 16 lowercase hex digits, or nil.</summary>
    KvReply Digest();

    /// <summary>EXISTS of this key: 1 when it exists.</summary>
    long Exists();

    /// <summary>EXPIRE family with an absolute deadline; 1 when applied (a past deadline deletes).</summary>
    long ExpireAt(long deadlineMs, ExpireCondition condition);

    /// <summary>PERSIST: 1 when a deadline was removed.</summary>
    long Persist();

    /// <summary>TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 missing, -1 no deadline, else the time.</summary>
    long TimeToLive(bool milliseconds, bool absolute);

    /// <summary>TYPE: <c>none</c> or <c>string</c>.</summary>
    string TypeName();

    /// <summary>The key's live record (after lazy expiry), or a record of kind None.</summary>
    KeyRecord Read();
}

using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Grains.Calls;

// The key grain's calls as values: each runs either through the grain (a turn of its own) or on
// a KeyOperations already inside a turn (a script's redis.call). Structs, so the gateway's
// generic paths do not box them.

/// <summary>One call to a key: through its grain, or inside a turn that already holds it.</summary>
public interface IKeyCall
{
    /// <summary>Runs the call as a turn of the key's grain.</summary>
    ValueTask<KvReply> InvokeAsync(IKeyGrain grain);

    /// <summary>Runs the call inside a turn that already holds the key.</summary>
    KvReply Invoke(KeyOperations key);

    /// <summary>
    /// True for calls that may run long (scripts): they always run as a turn of the key's
    /// activation, never under a stripe lock that other keys share.
    /// </summary>
    static virtual bool NeedsActivation => false;
}

/// <summary>GET.</summary>
public readonly struct GetCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.GetAsync();

    public KvReply Invoke(KeyOperations key) => key.Get();
}

/// <summary>SET and its relatives.</summary>
public readonly struct SetCall(SetRequest request) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.SetAsync(request);

    public KvReply Invoke(KeyOperations key) => key.Set(request);
}

/// <summary>GETDEL.</summary>
public readonly struct GetDeleteCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.GetDeleteAsync();

    public KvReply Invoke(KeyOperations key) => key.GetDelete();
}

/// <summary>GETEX.</summary>
public readonly struct GetExCall(GetExRequest request) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.GetAndExpireAsync(request);

    public KvReply Invoke(KeyOperations key) => key.GetAndExpire(request);
}

/// <summary>DEL of one key.</summary>
public readonly struct DeleteCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.DeleteAsync();

    public KvReply Invoke(KeyOperations key) => KvReply.FromInteger(key.Delete());
}

/// <summary>DELEX (Redis 8.4): delete when the condition holds, compared and deleted in one turn.</summary>
public readonly struct DeleteIfCall(DeleteIfRequest request) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.DeleteIfAsync(request);

    public KvReply Invoke(KeyOperations key) => key.DeleteIf(request);
}

/// <summary>DIGEST (Redis 8.4).</summary>
public readonly struct DigestCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.DigestAsync();

    public KvReply Invoke(KeyOperations key) => key.Digest();
}

/// <summary>EXISTS of one key.</summary>
public readonly struct ExistsCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.ExistsAsync();

    public KvReply Invoke(KeyOperations key) => KvReply.FromInteger(key.Exists());
}

/// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with an absolute deadline.</summary>
public readonly struct ExpireCall(long deadlineMs, ExpireCondition condition) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.ExpireAtAsync(deadlineMs, condition);

    public KvReply Invoke(KeyOperations key) => KvReply.FromInteger(key.ExpireAt(deadlineMs, condition));
}

/// <summary>PERSIST.</summary>
public readonly struct PersistCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.PersistAsync();

    public KvReply Invoke(KeyOperations key) => KvReply.FromInteger(key.Persist());
}

/// <summary>TTL, PTTL, EXPIRETIME, PEXPIRETIME.</summary>
public readonly struct TimeToLiveCall(bool milliseconds, bool absolute) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.TimeToLiveAsync(milliseconds, absolute);

    public KvReply Invoke(KeyOperations key) => KvReply.FromInteger(key.TimeToLive(milliseconds, absolute));
}

/// <summary>TYPE.</summary>
public readonly struct TypeCall : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.TypeAsync();

    public KvReply Invoke(KeyOperations key) => KvReply.FromStatus(key.TypeName());
}

/// <summary>EVAL/EVALSHA: the script runs inside the key's turn.</summary>
public readonly struct EvalCall(ScriptRequest request) : IKeyCall
{
    public static bool NeedsActivation => true;

    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.EvalAsync(request);

    public KvReply Invoke(KeyOperations key) => key.Eval(request);
}

/// <summary>APPEND, INCR family, INCRBYFLOAT, GETRANGE/SUBSTR, SETRANGE, STRLEN.</summary>
public readonly struct StringCall(StringRequest request) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.StringAsync(request);

    public KvReply Invoke(KeyOperations key) => key.String(request);
}

/// <summary>The hash commands.</summary>
public readonly struct HashCall(HashRequest request) : IKeyCall
{
    public ValueTask<KvReply> InvokeAsync(IKeyGrain grain) => grain.HashAsync(request);

    public KvReply Invoke(KeyOperations key) => key.Hash(request);
}

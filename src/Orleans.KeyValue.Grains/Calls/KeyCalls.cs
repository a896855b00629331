using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Activations;

namespace Orleans.KeyValue.Grains.Calls;

// The key grain's calls as values (Orleans generates such invokers). Structs, so a call to a
// free grain allocates nothing.

/// <summary>GET.</summary>
public readonly struct GetCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.Get());
}

/// <summary>SET and its relatives.</summary>
public readonly struct SetCall(SetRequest request) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.Set(request));
}

/// <summary>GETDEL.</summary>
public readonly struct GetDeleteCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.GetDelete());
}

/// <summary>GETEX.</summary>
public readonly struct GetExCall(GetExRequest request) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.GetAndExpire(request));
}

/// <summary>DEL of one key.</summary>
public readonly struct DeleteCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromInteger(grain.Delete()));
}

/// <summary>DELEX (Redis 8.4): delete when the condition holds, compared and deleted in one turn.</summary>
public readonly struct DeleteIfCall(DeleteIfRequest request) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.DeleteIf(request));
}

/// <summary>DIGEST (Redis 8.4).</summary>
public readonly struct DigestCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(grain.Digest());
}

/// <summary>EXISTS of one key.</summary>
public readonly struct ExistsCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromInteger(grain.Exists()));
}

/// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with an absolute deadline.</summary>
public readonly struct ExpireCall(long deadlineMs, ExpireCondition condition) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromInteger(grain.ExpireAt(deadlineMs, condition)));
}

/// <summary>PERSIST.</summary>
public readonly struct PersistCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromInteger(grain.Persist()));
}

/// <summary>TTL, PTTL, EXPIRETIME, PEXPIRETIME.</summary>
public readonly struct TimeToLiveCall(bool milliseconds, bool absolute) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromInteger(grain.TimeToLive(milliseconds, absolute)));
}

/// <summary>TYPE.</summary>
public readonly struct TypeCall : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(KvReply.FromStatus(grain.TypeName()));
}

/// <summary>The expiry turn the timing wheel asks for when the key's entry for <paramref name="deadlineMs"/> fires.</summary>
public readonly struct DeadlineCall(long deadlineMs) : IGrainCall<KeyGrain, KvReply>
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain)
    {
        grain.OnDeadline(deadlineMs);
        return new(KvReply.Ok);
    }
}

/// <summary>
/// Any work inside the grain's turn: scripts (their redis.call commands run on the grain
/// directly, already inside the turn, so a compare-and-delete script is atomic). A script may
/// run for seconds: it gets an activation of its own rather than block a stripe of keys.
/// </summary>
public readonly struct InTurnCall(Func<KeyGrain, KvReply> work) : IGrainCall<KeyGrain, KvReply>, IMayRunLongGrainCall
{
    public ValueTask<KvReply> InvokeAsync(KeyGrain grain) => new(work(grain));
}

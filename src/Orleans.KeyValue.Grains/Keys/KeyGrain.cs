using Microsoft.Extensions.DependencyInjection;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// The Orleans grain of one key. It holds no state of its own: every call runs
/// <see cref="KeyOperations"/> over the silo's record store inside this activation's turn, so the
/// activation can be collected as soon as the key goes quiet (an idle key costs its record) and
/// Orleans's one-call-at-a-time turns make every method, scripts included, atomic for the key.
/// </summary>
[GrainType(KeyGrainFactoryExtensions.GrainTypeName)]
internal sealed class KeyGrain : Grain, IKeyGrain
{
    private readonly KeyGrainServices _services;
    private readonly KeyOperations _key;

    public KeyGrain(KeyGrainServices services, IServiceProvider provider)
    {
        _services = services;
        _key = new KeyOperations(
            KeyGrainFactoryExtensions.KeyOf(this.GetGrainId()),
            services,
            provider.GetService<IScriptHost>());
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _services.Activated(_key.Key);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _services.Deactivated(_key.Key);
        return Task.CompletedTask;
    }

    public ValueTask<KvReply> GetAsync() => new(_key.Get());

    public ValueTask<KvReply> SetAsync(SetRequest request) => new(_key.Set(request));

    public ValueTask<KvReply> GetDeleteAsync() => new(_key.GetDelete());

    public ValueTask<KvReply> GetAndExpireAsync(GetExRequest request) => new(_key.GetAndExpire(request));

    public ValueTask<KvReply> DeleteAsync() => new(KvReply.FromInteger(_key.Delete()));

    public ValueTask<KvReply> DeleteIfAsync(DeleteIfRequest request) => new(_key.DeleteIf(request));

    public ValueTask<KvReply> DigestAsync() => new(_key.Digest());

    public ValueTask<KvReply> ExistsAsync() => new(KvReply.FromInteger(_key.Exists()));

    public ValueTask<KvReply> ExpireAtAsync(long deadlineMs, ExpireCondition condition) => new(KvReply.FromInteger(_key.ExpireAt(deadlineMs, condition)));

    public ValueTask<KvReply> PersistAsync() => new(KvReply.FromInteger(_key.Persist()));

    public ValueTask<KvReply> TimeToLiveAsync(bool milliseconds, bool absolute) => new(KvReply.FromInteger(_key.TimeToLive(milliseconds, absolute)));

    public ValueTask<KvReply> TypeAsync() => new(KvReply.FromStatus(_key.TypeName()));

    public ValueTask<KvReply> EvalAsync(ScriptRequest request) => new(_key.Eval(request));
}

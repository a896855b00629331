using Microsoft.Extensions.DependencyInjection;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.Placement;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// The Orleans grain of one key. It holds no state of its own: every call runs
/// <see cref="KeyOperations"/> over the silo's record store inside this activation's turn, so the
/// activation can be collected as soon as the key goes quiet (an idle key costs its record) and
/// Orleans's one-call-at-a-time turns make every method, scripts included, atomic for the key.
/// </summary>
/// <remarks>
/// Every call passes the slot's gate on this silo, as a RESP command does: a call that arrives
/// where the slot is not served (it moved since this activation was placed, or is moving) runs
/// nothing, answers TRYAGAIN and ends the activation, so the next call is placed on the new owner.
/// </remarks>
[GrainType(KeyGrainFactoryExtensions.GrainTypeName)]
[SlotPlacement]
[Immovable]
internal sealed class KeyGrain : Grain, IKeyGrain
{
    private readonly KeyGrainServices _services;
    private readonly KeyOperations _key;
    private readonly SlotTable? _slots;
    private readonly int _slot;

    public KeyGrain(KeyGrainServices services, IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _services = services;
        _slots = provider.GetService<SlotTable>();
        _key = new KeyOperations(
            KeyGrainFactoryExtensions.KeyOf(this.GetGrainId()),
            services,
            provider.GetService<IScriptHost>());
        _slot = KeySlot.Of(_key.Key);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _services.ActivatedAsync(_key.Key);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _services.Deactivated(_key.Key);
        return Task.CompletedTask;
    }

    public ValueTask<KvReply> GetAsync() => Gated(static key => key.Get());

    public ValueTask<KvReply> SetAsync(SetRequest request) => Gated(key => key.Set(request));

    public ValueTask<KvReply> GetDeleteAsync() => Gated(static key => key.GetDelete());

    public ValueTask<KvReply> GetAndExpireAsync(GetExRequest request) => Gated(key => key.GetAndExpire(request));

    public ValueTask<KvReply> DeleteAsync() => Gated(static key => KvReply.FromInteger(key.Delete()));

    public ValueTask<KvReply> DeleteIfAsync(DeleteIfRequest request) => Gated(key => key.DeleteIf(request));

    public ValueTask<KvReply> DigestAsync() => Gated(static key => key.Digest());

    public ValueTask<KvReply> ExistsAsync() => Gated(static key => KvReply.FromInteger(key.Exists()));

    public ValueTask<KvReply> ExpireAtAsync(long deadlineMs, ExpireCondition condition) => Gated(key => KvReply.FromInteger(key.ExpireAt(deadlineMs, condition)));

    public ValueTask<KvReply> PersistAsync() => Gated(static key => KvReply.FromInteger(key.Persist()));

    public ValueTask<KvReply> TimeToLiveAsync(bool milliseconds, bool absolute) => Gated(key => KvReply.FromInteger(key.TimeToLive(milliseconds, absolute)));

    public ValueTask<KvReply> TypeAsync() => Gated(static key => KvReply.FromStatus(key.TypeName()));

    public ValueTask<KvReply> StringAsync(StringRequest request) => Gated(key => key.String(request));

    public ValueTask<KvReply> HashAsync(HashRequest request) => Gated(key => key.Hash(request));

    public ValueTask<KvReply> EvalAsync(ScriptRequest request) => Gated(key => key.Eval(request));

    private ValueTask<KvReply> Gated(Func<KeyOperations, KvReply> operation)
    {
        if (_slots is null)
        {
            return new(operation(_key));
        }

        if (!_slots.TryEnter(_slot, out var settled))
        {
            if (settled is null && _slots.IsServed(_slot))
            {
                // A fill or hold ended between TryEnter's two reads: the slot is served, enter again.
                return Gated(operation);
            }

            if (settled is not null && _slots.IsFilling(_slot))
            {
                // Its keys are being copied to the backup, or it is held for a turn: a moment. The
                // next fill or hold lets this call in first (SlotTable.WaitAtGate).
                _slots.WaitAtGate(_slot);
                return WaitThenRunAsync(settled, operation);
            }

            // Not served here (moved, or moving): nothing ran; the next call is placed anew.
            DeactivateOnIdle();
            return new(KvReply.FromError(ErrorReplies.TryAgain));
        }

        if (_services.IsReplicated(_slot))
        {
            return RunReplicatedAsync(operation);
        }

        try
        {
            return new(operation(_key));
        }
        finally
        {
            _slots.Exit(_slot);
        }
    }

    // Called only from Gated after WaitAtGate: _slots exists (the ! below).
    private async ValueTask<KvReply> WaitThenRunAsync(Task settled, Func<KeyOperations, KvReply> operation)
    {
        ValueTask<KvReply> pending;
        try
        {
            await settled;

            // Gated enters the slot (or waits at the gate again) before it returns.
            pending = Gated(operation);
        }
        finally
        {
            _slots!.LeaveGate(_slot);
        }

        return await pending;
    }

    // Called only from Gated after the slot was entered and IsReplicated held: _slots and the
    // replication service exist (the ! below).
    private async ValueTask<KvReply> RunReplicatedAsync(Func<KeyOperations, KvReply> operation)
    {
        try
        {
            return await ReplicatedTurn.RunAsync(_key, _slot, _services.Replication!, operation);
        }
        finally
        {
            _slots!.Exit(_slot);
        }
    }
}

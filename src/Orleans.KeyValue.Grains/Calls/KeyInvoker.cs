using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Replication;

namespace Orleans.KeyValue.Grains.Calls;

/// <summary>
/// Reaches keys on this silo: a key with an activation gets a grain call (so the call queues
/// behind the activation's turns); a key without one is served at once under its stripe's lock
/// (see <see cref="KeyTurns"/>), unless the call may run long, which always goes to the grain.
/// </summary>
public sealed class KeyInvoker(IGrainFactory grains, KeyGrainServices services) : IKeyInvoker
{
    public ValueTask<KvReply> InvokeAsync<TCall>(ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall
    {
        if (services.Replication is { Enabled: true } && KeySlot.Of(key) is var slot && services.IsReplicated(slot))
        {
            return TCall.NeedsActivation ? call.InvokeAsync(grains.GetKeyGrain(key)) : InvokeReplicatedAsync(key.ToArray(), slot, call);
        }

        if (!TCall.NeedsActivation && services.Turns.TryRunWithoutActivation(key, call, services, out var reply))
        {
            return new(reply);
        }

        return call.InvokeAsync(grains.GetKeyGrain(key));
    }

    /// <summary>
    /// A call on a slot with a backup, for a key without an activation: a write holds the key's
    /// turn (see <see cref="KeyTurns.TryRunStaged{TCall}"/>) until its backup holds it and it is
    /// stored; a read answers only under the slot's read lease.
    /// </summary>
    private async ValueTask<KvReply> InvokeReplicatedAsync<TCall>(byte[] key, int slot, TCall call)
        where TCall : struct, IKeyCall
    {
        // Only called when services.IsReplicated(slot), which needs a replication service.
        var replication = services.Replication!;
        for (var attempt = 1; ; )
        {
            // Busy and Staged come with the write that holds the key (TryRunStaged's contract): the ! below rely on it.
            switch (services.Turns.TryRunStaged(key, call, services, out var reply, out var write))
            {
                case StagedTurn.Active:
                    return await call.InvokeAsync(grains.GetKeyGrain(key));
                case StagedTurn.Busy:
                    await write!.Done;
                    continue;
                case StagedTurn.Ran:
                    if (replication.HasReadLease(slot))
                    {
                        return reply;
                    }

                    if (attempt++ >= ReplicatedTurn.ReadAttempts || !await replication.RenewReadLeaseAsync(slot))
                    {
                        return KvReply.FromError(ErrorReplies.TryAgain);
                    }

                    continue;
                default:
                    var outcome = ReplicaOutcome.Unknown;
                    try
                    {
                        outcome = await replication.ReplicateAsync(slot, write!.Key, write.Record);
                    }
                    finally
                    {
                        services.Turns.EndStaged(write!, outcome == ReplicaOutcome.Stored);
                    }

                    return outcome == ReplicaOutcome.Stored ? reply : ReplicatedTurn.ErrorFor(outcome);
            }
        }
    }
}

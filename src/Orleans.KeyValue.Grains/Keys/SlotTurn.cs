using System.Diagnostics;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Replication;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// A turn over a whole slot, for a script whose keys are several keys of one slot: the slot is
/// held for it alone (the commands inside finish, new ones wait, a hand-over waits), so no other
/// command on any key of the slot runs between its reads and writes. Its writes are staged, sent
/// to the slot's backup together, and stored only when the backup holds every one of them; so
/// the script is atomic for readers on this silo and after a failover alike.
/// </summary>
public sealed class SlotTurn(KeyGrainServices services, SlotTable slots, IScriptHost? scripts)
{
    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="slot"/> held. TRYAGAIN when the slot is
    /// not served here or cannot be had within <paramref name="wait"/>; the backup's error when
    /// it did not take the writes (nothing is stored here then).
    /// </summary>
    public async ValueTask<KvReply> RunAsync(int slot, Func<SlotKeys, KvReply> body, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(body);
        var replication = services.Replication;
        var drainLimit = replication?.FillDrainTimeout ?? TimeSpan.FromMilliseconds(250);
        var started = Stopwatch.GetTimestamp();
        long token;
        while ((token = await slots.TryHoldAsync(slot, drainLimit, CancellationToken.None)) == 0)
        {
            var left = wait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return KvReply.FromError(ErrorReplies.TryAgain);
            }

            if (slots.TryEnter(slot, out var settled))
            {
                // It did not drain in time and gave way: let the command that kept it busy (it
                // may have been waiting for this very hold) go through before asking again.
                slots.Exit(slot);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 10)));
            }
            else if (settled is null && slots.IsServed(slot))
            {
                // A fill or hold ended between TryEnter's two reads: ask again.
                continue;
            }
            else if (settled is null)
            {
                // Not served here (it moved): the client asks the new owner.
                return KvReply.FromError(ErrorReplies.TryAgain);
            }
            else
            {
                // Held by a fill or another script, or moving: wait for it to settle.
                await Task.WhenAny(settled, Task.Delay(left));
            }
        }

        try
        {
            return await RunHeldAsync(slot, body, replication);
        }
        finally
        {
            slots.ReleaseHold(slot, token);
        }
    }

    private async ValueTask<KvReply> RunHeldAsync(int slot, Func<SlotKeys, KvReply> body, ReplicationService? replication)
    {
        var replicated = services.IsReplicated(slot);
        if (replicated && !replication!.HasReadLease(slot) && !await replication.RenewReadLeaseAsync(slot))
        {
            return KvReply.FromError(ErrorReplies.TryAgain);
        }

        // Every write is staged: if the body throws, nothing is stored.
        var keys = new SlotKeys(services, slot, scripts);
        var reply = body(keys);

        var writes = keys.TakeWrites();
        if (!replicated)
        {
            Commit(writes);
            return reply;
        }

        if (writes.Count == 0)
        {
            // Checked after the reads: the lease held for all of them.
            return replication!.HasReadLease(slot) ? reply : KvReply.FromError(ErrorReplies.TryAgain);
        }

        // One message: the backup takes all of the turn's writes or none.
        var outcome = await replication!.ReplicateAllAsync(slot, [.. writes.Select(w => (w.Operations.Key, w.Record))]);
        if (outcome == ReplicaOutcome.Stored)
        {
            Commit(writes);
            return reply;
        }

        // Nothing is stored here; if the backup may hold the writes, it gets the slot again.
        replication.Resync(slot);
        return ReplicatedTurn.ErrorFor(outcome);
    }

    private static void Commit(List<(KeyOperations Operations, KeyRecord Record)> writes)
    {
        foreach (var (operations, record) in writes)
        {
            operations.Commit(record);
        }
    }
}

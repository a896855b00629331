using Orleans.KeyValue.Runtime.Replication;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// A key's turn on a slot with a backup: the operation runs with its writes staged; a write is
/// stored once the backup holds it (else the client gets an error and nothing is stored here);
/// a read answers only if this silo held the slot's read lease when it read.
/// </summary>
internal static class ReplicatedTurn
{
    /// <summary>How often a read is tried again when the read lease ran out while it ran.</summary>
    public const int ReadAttempts = 3;

    /// <summary>Runs <paramref name="operation"/> as the turn of <paramref name="key"/>'s grain (the caller holds the turn).</summary>
    public static async ValueTask<KvReply> RunAsync(KeyOperations key, int slot, ReplicationService replication, Func<KeyOperations, KvReply> operation)
    {
        for (var attempt = 1; ; attempt++)
        {
            key.BeginStaging();
            KvReply reply;
            try
            {
                reply = operation(key);
            }
            catch
            {
                key.TakeStaged(out _);
                throw;
            }

            if (key.TakeStaged(out var record))
            {
                var outcome = await replication.ReplicateAsync(slot, key.Key, record);
                if (outcome != ReplicaOutcome.Stored)
                {
                    return ErrorFor(outcome);
                }

                key.Commit(record);
                return reply;
            }

            // Checked after the read: the lease held for all of it.
            if (replication.HasReadLease(slot))
            {
                return reply;
            }

            if (attempt >= ReadAttempts || !await replication.RenewReadLeaseAsync(slot))
            {
                return KvReply.FromError(ErrorReplies.TryAgain);
            }
        }
    }

    /// <summary>The client's reply for a write its backup did not take.</summary>
    public static KvReply ErrorFor(ReplicaOutcome outcome) => KvReply.FromError(outcome switch
    {
        ReplicaOutcome.Unreachable => ErrorReplies.NoReplicas,
        ReplicaOutcome.Unknown => ErrorReplies.BackupTimeout,
        _ => ErrorReplies.TryAgain,
    });
}

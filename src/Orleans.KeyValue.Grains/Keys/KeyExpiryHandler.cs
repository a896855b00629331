using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// Reclaims a key whose wheel entry fired, in the record store, without activating its grain:
/// a million keys expiring together cost a million record removals, not a million activations.
/// Every change is a compare-and-swap against the record read, so a key's turn writing at the
/// same moment wins or retries cleanly (see <see cref="KeyOperations"/>).
/// </summary>
public sealed class KeyExpiryHandler(KeyGrainServices services) : IDeadlineHandler
{
    public void OnDeadline(byte[] key, long deadlineMs)
    {
        var storage = services.Storage;
        var now = services.NowMs;
        while (storage.TryRead(key, out var record))
        {
            if (record.IsExpiredAt(now))
            {
                if (storage.TryRemove(key, record))
                {
                    services.Statistics.Expired();
                    return;
                }

                continue;
            }

            // Not due (moved later, or removed): only the tracked entry hands a deadline still
            // ahead to a new entry; a stale one (left by a write that scheduled an earlier
            // deadline) ends here, so a key's entries never multiply however often it is written.
            if (!record.HasDeadline || (record.WheelTag != 0 && record.WheelTag != (int)deadlineMs))
            {
                return;
            }

            if (storage.TryReplace(key, expectedExists: true, record, record with { WheelTag = (int)record.DeadlineMs }))
            {
                services.Wheel.Schedule(key, record.DeadlineMs);
                return;
            }
        }
    }
}

namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>
/// The writes bound for one backup silo, sent in batches without waiting to fill them: a write
/// goes out at once while fewer than <c>maxInFlight</c> messages are on their way (so a lone
/// write pays one round trip), and otherwise joins the next message with every write that
/// queued meanwhile (so under load one message carries many).
/// </summary>
internal sealed class BackupLink(SiloAddress target, Func<SiloAddress, List<ReplicaWrite>, Task> send, int maxInFlight, int maxBatch)
{
    private readonly Lock _gate = new();
    private List<ReplicaWrite> _queue = [];
    private int _inFlight;

    public SiloAddress Target { get; } = target;

    /// <summary>Queues <paramref name="write"/>; its <see cref="ReplicaWrite.Outcome"/> completes when the backup answered (or did not).</summary>
    public Task<ReplicaOutcome> EnqueueAsync(ReplicaWrite write)
    {
        bool start;
        lock (_gate)
        {
            _queue.Add(write);
            start = _inFlight < maxInFlight;
            if (start)
            {
                _inFlight++;
            }
        }

        if (start)
        {
            // Off the caller's scheduler: the caller may be a grain's turn, and this sender
            // carries other keys' writes too.
            _ = Task.Run(PumpAsync);
        }

        return write.Outcome;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            List<ReplicaWrite> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _inFlight--;
                    return;
                }

                if (_queue.Count <= maxBatch)
                {
                    batch = _queue;
                    _queue = [];
                }
                else
                {
                    batch = _queue.GetRange(0, maxBatch);
                    _queue.RemoveRange(0, maxBatch);
                }
            }

            // Completes every write of the batch, whatever happens; never throws.
            await send(Target, batch);
        }
    }
}

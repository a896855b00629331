using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Grains.Memory;

/// <summary>
/// Makes room on a silo past its <c>maxmemory</c>, as Redis's performEvictions does before a
/// command that may grow memory: it samples <see cref="MemoryLimit.Samples"/> keys of this
/// silo's slots at a time into a pool of the best victims seen (Redis's eviction pool of 16),
/// and deletes the best until the silo is under its limit. Deletes go through the key's turn
/// like a <c>DEL</c>, so a slot with a backup loses the key on the backup too, and a key being
/// written waits for its turn. Commands arriving while a pass runs wait for that pass rather
/// than start their own, so concurrent writes do not evict many times over.
/// </summary>
public sealed class Evictor(KeyGrainServices services, IKeyInvoker invoker)
{
    /// <summary>Redis's EVPOOL_SIZE.</summary>
    public const int PoolSize = 16;

    /// <summary>A pass gives up after this many deletes that freed nothing (keys gone meanwhile, slots moving): the command goes on.</summary>
    public const int MaxFailures = 1024;

    private const int SampleRounds = 16;

    private readonly Lock _lock = new();
    private readonly List<(byte[] Key, ulong Score)> _pool = new(PoolSize + 1);
    private Task<bool>? _pass;

    /// <summary>
    /// True when a command that may grow memory can run: the silo is under its limit, or got
    /// under it by evicting (or a pass gave up on keys that would not go: the next write tries
    /// again); false when it is over and the policy found nothing (more) to evict: noeviction, or
    /// no key qualifies. Then the command answers OOM, as in Redis.
    /// </summary>
    public ValueTask<bool> MakeRoomAsync()
    {
        var memory = services.Memory;
        if (!memory.IsOver)
        {
            return new(true);
        }

        if (memory.Policy == EvictionPolicy.NoEviction)
        {
            return new(false);
        }

        TaskCompletionSource<bool> started;
        lock (_lock)
        {
            if (_pass is { IsCompleted: false } running)
            {
                return new(running);
            }

            started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pass = started.Task;
        }

        _ = RunPassAsync(started);
        return new(started.Task);
    }

    private async Task RunPassAsync(TaskCompletionSource<bool> pass)
    {
        try
        {
            pass.TrySetResult(await EvictAsync());
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A delete that failed (a slot moving, a backup away) leaves the key; the command
            // goes on and the next write tries again, as an eviction in progress does in Redis.
            pass.TrySetResult(true);
        }
    }

    private async Task<bool> EvictAsync()
    {
        var memory = services.Memory;
        // The stores count a record's bytes as it goes, so the gauge falls with every delete and
        // the pass stops as soon as the silo is under its limit.
        for (var failures = 0; memory.IsOver && failures < MaxFailures;)
        {
            if (!TryPickVictim(memory, out var key))
            {
                // Redis's performEvictions: nothing left to evict and still over is a failure,
                // however many keys went first.
                return false;
            }

            var reply = await invoker.InvokeAsync(key, default(DeleteCall));
            if (reply is { Kind: KvReplyKind.Integer, Integer: 1 })
            {
                memory.Evicted();
            }
            else
            {
                failures++;
            }
        }

        return true;
    }

    /// <summary>The key the policy evicts next; false when no key qualifies.</summary>
    private bool TryPickVictim(MemoryLimit memory, out byte[] key)
    {
        var policy = memory.Policy;
        var onlyVolatile = policy.OnlyVolatile();
        var storage = services.Storage;
        var now = services.NowMs;
        if (policy is EvictionPolicy.AllKeysRandom or EvictionPolicy.VolatileRandom)
        {
            byte[]? found = null;
            for (var round = 0; found is null && round < SampleRounds; round++)
            {
                if (storage.Sample(memory.Samples, (k, record) => found ??= Qualifies(record, onlyVolatile, now) ? k : null) == 0)
                {
                    break;
                }
            }

            key = found ?? [];
            return found is not null;
        }

        var access = memory.Access;
        var lfu = policy.IsLfu();
        for (var round = 0; round < SampleRounds; round++)
        {
            if (storage.Sample(memory.Samples, (k, record) =>
                {
                    if (Qualifies(record, onlyVolatile, now))
                    {
                        Offer(k, policy == EvictionPolicy.VolatileTtl
                            ? ulong.MaxValue - (ulong)record.DeadlineMs
                            : access?.EvictionScore(k, now, lfu, memory.LfuDecayTime) ?? 0);
                    }
                }) == 0)
            {
                break;
            }

            // The best of the pool that still holds a qualifying key (pool entries may be stale).
            while (_pool.Count > 0)
            {
                var best = _pool[^1].Key;
                _pool.RemoveAt(_pool.Count - 1);
                if (storage.TryRead(best, out var record) && Qualifies(record, onlyVolatile, now))
                {
                    key = best;
                    return true;
                }
            }
        }

        key = [];
        return false;
    }

    /// <summary>Adds a sampled key to the pool, kept in ascending score order, holding the best <see cref="PoolSize"/>.</summary>
    private void Offer(byte[] key, ulong score)
    {
        var index = 0;
        while (index < _pool.Count && _pool[index].Score < score)
        {
            index++;
        }

        foreach (var entry in _pool)
        {
            if (ReferenceEquals(entry.Key, key) || entry.Key.AsSpan().SequenceEqual(key))
            {
                return;
            }
        }

        if (_pool.Count >= PoolSize)
        {
            if (index == 0)
            {
                return;
            }

            _pool.RemoveAt(0);
            index--;
        }

        _pool.Insert(index, (key, score));
    }

    private static bool Qualifies(in KeyRecord record, bool onlyVolatile, long now) =>
        record.Exists && (!onlyVolatile || (record.HasDeadline && !record.IsExpiredAt(now)));
}

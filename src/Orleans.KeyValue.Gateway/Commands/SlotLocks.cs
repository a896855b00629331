using System.Collections.Concurrent;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// One async lock per key slot, made on first use, for the commands that check several keys and
/// then write them (MSETEX). Only those commands take it: a plain SET from another client does
/// not wait for it, so it serializes multi-key commands of one slot with each other on this silo,
/// not with everything else.
/// </summary>
internal sealed class SlotLocks
{
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the lock of <paramref name="slot"/>; <see cref="Exit"/> releases it.</summary>
    public Task EnterAsync(int slot, CancellationToken cancellationToken = default) =>
        _locks.GetOrAdd(slot, static _ => new SemaphoreSlim(1, 1)).WaitAsync(cancellationToken);

    /// <summary>Releases the lock of <paramref name="slot"/>, which the caller holds.</summary>
    public void Exit(int slot) => _locks[slot].Release();
}

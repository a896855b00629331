using System.Collections.Concurrent;
using System.IO.Hashing;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Runtime;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// Who holds a key's turn on this silo. A key whose grain has an activation here is served only
/// by that activation's turns (Orleans runs them one at a time). A key without one is served
/// by whoever takes its stripe's lock for one synchronous operation: the same one-at-a-time
/// rule, without making an activation for a single command (a million keys touched once cost a
/// million records, not a million activations). An activation registers here under the
/// stripe's lock before its first turn and leaves after its last, so the two never overlap.
/// </summary>
public sealed class KeyTurns
{
    private const int StripeCount = 1024;

    private readonly Lock[] _stripes = CreateStripes();

    // Activations per key: 1 while the key's grain is active here (a count, so an activation
    // that ends after its successor began cannot unregister the successor).
    private readonly ConcurrentDictionary<byte[], int> _active = new(ByteArrayComparer.Instance);

    // Keys whose write (made without an activation) is with their backup: the key's turn lasts
    // until the write is stored, so every other call to the key waits for it.
    private readonly ConcurrentDictionary<byte[], StagedWrite> _staged = new(ByteArrayComparer.Instance);

    /// <summary>Key grain activations registered here.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>True while <paramref name="key"/>'s grain has an activation here.</summary>
    public bool IsActive(ReadOnlySpan<byte> key) => _active.GetAlternateLookup<ReadOnlySpan<byte>>().ContainsKey(key);

    /// <summary>
    /// Runs <paramref name="call"/> as <paramref name="key"/>'s turn when its grain has no
    /// activation here; false (nothing run) when it has one and the call must go to the grain.
    /// </summary>
    public bool TryRunWithoutActivation<TCall>(ReadOnlySpan<byte> key, TCall call, KeyGrainServices services, out KvReply reply)
        where TCall : struct, IKeyCall
    {
        ArgumentNullException.ThrowIfNull(services);
        lock (StripeOf(key))
        {
            if (!_active.IsEmpty && IsActive(key))
            {
                reply = default;
                return false;
            }

            // The stored key array when the key exists (no copy for a read of a stored key).
            var array = services.Storage.FindKey(key) ?? key.ToArray();
            reply = call.Invoke(new KeyOperations(array, services));
            return true;
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> as <paramref name="key"/>'s turn with its writes staged (see
    /// <see cref="KeyOperations.BeginStaging"/>), when its grain has no activation here and no
    /// staged write holds the key. A call that wrote returns <see cref="StagedTurn.Staged"/> with
    /// the write, which holds the key's turn until <see cref="EndStaged"/>.
    /// </summary>
    public StagedTurn TryRunStaged<TCall>(ReadOnlySpan<byte> key, TCall call, KeyGrainServices services, out KvReply reply, out StagedWrite? write)
        where TCall : struct, IKeyCall
    {
        ArgumentNullException.ThrowIfNull(services);
        lock (StripeOf(key))
        {
            write = null;
            reply = default;
            if (!_active.IsEmpty && IsActive(key))
            {
                return StagedTurn.Active;
            }

            if (!_staged.IsEmpty && _staged.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out write))
            {
                return StagedTurn.Busy;
            }

            var array = services.Storage.FindKey(key) ?? key.ToArray();
            var operations = new KeyOperations(array, services);
            operations.BeginStaging();
            reply = call.Invoke(operations);
            if (!operations.TakeStaged(out var record))
            {
                return StagedTurn.Ran;
            }

            write = new StagedWrite(operations, record);
            _staged[array] = write;
            return StagedTurn.Staged;
        }
    }

    /// <summary>Ends the turn of a staged write: stores it when its backup holds it, and lets the key's next call in.</summary>
    public void EndStaged(StagedWrite write, bool store)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (StripeOf(write.Key))
        {
            if (store)
            {
                write.Operations.Commit(write.Record);
            }

            _staged.TryRemove(write.Key, out _);
        }

        write.Complete();
    }

    /// <summary>Registers an activation of <paramref name="key"/>; a task to wait for (then call again) while a staged write holds the key.</summary>
    internal Task? TryActivate(byte[] key)
    {
        lock (StripeOf(key))
        {
            if (!_staged.IsEmpty && _staged.TryGetValue(key, out var write))
            {
                return write.Done;
            }

            _active.AddOrUpdate(key, 1, static (_, count) => count + 1);
            return null;
        }
    }

    internal void Deactivated(byte[] key)
    {
        lock (StripeOf(key))
        {
            if (_active.TryGetValue(key, out var count))
            {
                if (count <= 1)
                {
                    _active.TryRemove(key, out _);
                }
                else
                {
                    _active[key] = count - 1;
                }
            }
        }
    }

    private Lock StripeOf(ReadOnlySpan<byte> key) => _stripes[(int)(XxHash3.HashToUInt64(key) & (StripeCount - 1))];

    private static Lock[] CreateStripes()
    {
        var stripes = new Lock[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Lock();
        }

        return stripes;
    }
}

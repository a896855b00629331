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

    internal void Activated(byte[] key)
    {
        lock (StripeOf(key))
        {
            _active.AddOrUpdate(key, 1, static (_, count) => count + 1);
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

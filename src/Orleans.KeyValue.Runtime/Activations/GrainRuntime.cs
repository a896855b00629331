using System.Collections.Concurrent;

namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>
/// The activations of one grain class in this silo (Orleans: the catalog and activation
/// directory). A grain is activated on its first call; there is at most one activation per key
/// at any time: a new activation is only made after the old one is marked deactivated and
/// removed, and a deactivated activation refuses calls, so they retry on the new one.
/// </summary>
/// <typeparam name="TGrain">The grain class.</typeparam>
public sealed class GrainRuntime<TGrain>
    where TGrain : class
{
    // Many lock stripes: every first call to a key adds an activation and the collector removes
    // them in bulk; with the default (one lock per core) a profile under redis-benchmark showed
    // 11% of CPU spinning on these locks.
    private readonly ConcurrentDictionary<byte[], GrainActivation<TGrain>> _activations =
        new(Environment.ProcessorCount * 32, 1024, ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], GrainActivation<TGrain>>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly IGrainActivator<TGrain> _activator;
    private readonly Func<ReadOnlySpan<byte>, byte[]?>? _findStoredKey;
    private readonly bool _endWhenIdle;
    private long _activated;
    private long _deactivated;
    private long _collected;

    /// <param name="activator">Makes grain objects.</param>
    /// <param name="findStoredKey">Returns the key array already held by grain storage, if any,
    /// so an activation shares it instead of copying the key again.</param>
    /// <param name="endWhenIdle">
    /// Activations end as soon as no turn runs or waits (as if every turn asked
    /// <see cref="IGrainContext.DeactivateOnIdle"/>). For grains whose state lives in grain
    /// storage: an idle activation then costs no memory, and the next call activates afresh. False keeps idle
    /// activations until idle collection, as Orleans does.
    /// </param>
    public GrainRuntime(IGrainActivator<TGrain> activator, Func<ReadOnlySpan<byte>, byte[]?>? findStoredKey = null, bool endWhenIdle = false)
    {
        ArgumentNullException.ThrowIfNull(activator);
        _activator = activator;
        _findStoredKey = findStoredKey;
        _endWhenIdle = endWhenIdle;
        _bySpan = _activations.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Activations alive now.</summary>
    public int ActivationCount => _activations.Count;

    /// <summary>Activations made since start.</summary>
    public long ActivatedTotal => Interlocked.Read(ref _activated);

    /// <summary>Activations ended (idle collection or on the grain's request) since start.</summary>
    public long DeactivatedTotal => Interlocked.Read(ref _deactivated);

    /// <summary>Activations ended by idle collection since start (part of <see cref="DeactivatedTotal"/>).</summary>
    public long CollectedTotal => Interlocked.Read(ref _collected);

    /// <summary>True when <paramref name="key"/>'s grain is active now.</summary>
    public bool IsActive(ReadOnlySpan<byte> key) => _bySpan.ContainsKey(key);

    /// <summary>Runs <paramref name="call"/> in the turn of <paramref name="key"/>'s grain, activating it if needed.</summary>
    public ValueTask<TResult> InvokeAsync<TCall, TResult>(ReadOnlySpan<byte> key, TCall call)
        where TCall : IGrainCall<TGrain, TResult>
    {
        while (true)
        {
            var activation = GetOrActivate(key);
            if (activation.TryInvoke<TCall, TResult>(call, out var result))
            {
                return result;
            }

            // Deactivated between lookup and call: make sure it is gone, then activate anew.
            Remove(activation);
        }
    }

    /// <summary>
    /// Collects activations that were idle for <paramref name="sweepsNeeded"/> consecutive
    /// sweeps. Returns how many were collected.
    /// </summary>
    public int CollectIdle(int sweepsNeeded)
    {
        var collected = 0;
        foreach (var pair in _activations)
        {
            if (pair.Value.TryCollect(sweepsNeeded))
            {
                Remove(pair.Value);
                collected++;
            }
        }

        Interlocked.Add(ref _collected, collected);
        return collected;
    }

    internal void Remove(GrainActivation<TGrain> activation)
    {
        if (_activations.TryRemove(new KeyValuePair<byte[], GrainActivation<TGrain>>(activation.Key, activation)))
        {
            Interlocked.Increment(ref _deactivated);
        }
    }

    private GrainActivation<TGrain> GetOrActivate(ReadOnlySpan<byte> key)
    {
        if (_bySpan.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var keyBytes = _findStoredKey?.Invoke(key) ?? key.ToArray();
        var created = new GrainActivation<TGrain>(keyBytes, this, _endWhenIdle);
        created.Attach(_activator.Create(created));
        var winner = _activations.GetOrAdd(keyBytes, created);
        if (ReferenceEquals(winner, created))
        {
            Interlocked.Increment(ref _activated);
        }

        return winner;
    }
}

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
    private readonly Stripe[]? _stripes;
    private long _activated;
    private long _deactivated;
    private long _collected;

    /// <param name="activator">Makes grain objects.</param>
    /// <param name="findStoredKey">Returns the key array already held by grain storage, if any,
    /// so an activation shares it instead of copying the key again.</param>
    /// <param name="endWhenIdle">
    /// Activations end as soon as no turn runs or waits (as if every turn asked
    /// <see cref="IGrainContext.DeactivateOnIdle"/>). For grains whose state lives in grain
    /// storage: an idle activation then costs no memory, and the next call activates afresh.
    /// Such a grain must not use its object or context after its turn (a turn that completes at
    /// once runs on its stripe's spare, which serves the stripe's next key), and a turn must not
    /// call another grain of this runtime (a borrowed turn holds its stripe's lock). False keeps idle
    /// activations until idle collection, as Orleans does.
    /// </param>
    public GrainRuntime(IGrainActivator<TGrain> activator, Func<ReadOnlySpan<byte>, byte[]?>? findStoredKey = null, bool endWhenIdle = false)
    {
        ArgumentNullException.ThrowIfNull(activator);
        _activator = activator;
        _findStoredKey = findStoredKey;
        _endWhenIdle = endWhenIdle;
        if (endWhenIdle)
        {
            _stripes = new Stripe[StripeCount];
            for (var i = 0; i < _stripes.Length; i++)
            {
                _stripes[i] = new Stripe();
            }
        }

        _bySpan = _activations.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Activations alive now.</summary>
    public int ActivationCount => _activations.Count;

    /// <summary>Activations made since start (a turn on a borrowed activation counts as one).</summary>
    public long ActivatedTotal => Interlocked.Read(ref _activated) + BorrowedTurns();

    /// <summary>Activations ended (idle collection or on the grain's request) since start.</summary>
    public long DeactivatedTotal => Interlocked.Read(ref _deactivated) + BorrowedTurns();

    /// <summary>Activations ended by idle collection since start (part of <see cref="DeactivatedTotal"/>).</summary>
    public long CollectedTotal => Interlocked.Read(ref _collected);

    /// <summary>True when <paramref name="key"/>'s grain is active now.</summary>
    public bool IsActive(ReadOnlySpan<byte> key) => _bySpan.ContainsKey(key);

    /// <summary>Runs <paramref name="call"/> in the turn of <paramref name="key"/>'s grain, activating it if needed.</summary>
    public ValueTask<TResult> InvokeAsync<TCall, TResult>(ReadOnlySpan<byte> key, TCall call)
        where TCall : IGrainCall<TGrain, TResult>
    {
        if (_stripes is not null)
        {
            var stripe = _stripes[StripeOf(key)];

            // A call made from inside a borrowed turn of this stripe (never done by key grains)
            // takes the ordinary path rather than reuse the borrowed activation.
            if (!stripe.Gate.IsHeldByCurrentThread)
            {
                return InvokeOnStripe<TCall, TResult>(stripe, key, call);
            }
        }

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
    /// Activations that end when idle: every lookup and every activation of a key happens under its
    /// stripe's lock. A key with an activation (a turn of it went asynchronous, or a long call
    /// runs, and has not ended) gets the call there, run or queued after the lock is let go; a key
    /// without one runs the call at once on the stripe's spare
    /// activation, borrowed for this one turn, so a call that completes at once allocates nothing.
    /// A borrowed turn that goes asynchronous turns the spare into the key's real activation
    /// (registered before the lock is let go, so later calls queue behind it) and the stripe makes
    /// a new spare. Other keys of the stripe wait only while a borrowed turn runs synchronously.
    /// </summary>
    private ValueTask<TResult> InvokeOnStripe<TCall, TResult>(Stripe stripe, ReadOnlySpan<byte> key, TCall call)
        where TCall : IGrainCall<TGrain, TResult>
    {
        if (call is IMayRunLongGrainCall)
        {
            return InvokeOnOwnActivation<TCall, TResult>(stripe, key, call);
        }

        while (true)
        {
            GrainActivation<TGrain>? existing;
            using (stripe.Gate.EnterScope())
            {
                if (!_bySpan.TryGetValue(key, out existing))
                {
                    return InvokeBorrowed<TCall, TResult>(stripe, key, call);
                }
            }

            // The key's activation runs or queues the call outside the stripe's lock (a turn
            // ending there may run queued calls, scripts among them). If it ended meanwhile, it
            // refuses, and the call looks again.
            if (existing.TryInvoke<TCall, TResult>(call, out var queued))
            {
                return queued;
            }

            Remove(existing);
        }
    }

    /// <summary>Runs one turn on the stripe's spare; the caller holds the stripe's lock.</summary>
    private ValueTask<TResult> InvokeBorrowed<TCall, TResult>(Stripe stripe, ReadOnlySpan<byte> key, TCall call)
        where TCall : IGrainCall<TGrain, TResult>
    {
        var spare = stripe.Spare;
        if (spare is null)
        {
            spare = new GrainActivation<TGrain>([], this, endWhenIdle: true);
            spare.Attach(_activator.Create(spare));
            stripe.Spare = spare;
        }

        var keyBytes = _findStoredKey?.Invoke(key) ?? key.ToArray();
        spare.Borrow(keyBytes);
        stripe.BorrowedTurns++;
        ValueTask<TResult> turn;
        try
        {
            turn = call.InvokeAsync(spare.Grain);
        }
        catch (Exception exception)
        {
            spare.Return();
            return ValueTask.FromException<TResult>(exception);
        }

        if (turn.IsCompleted)
        {
            spare.Return();
            return turn;
        }

        // The turn goes on asynchronously: the spare becomes this key's activation.
        stripe.Spare = null;
        stripe.BorrowedTurns--;
        Interlocked.Increment(ref _activated);
        if (!_activations.TryAdd(keyBytes, spare))
        {
            throw new InvalidOperationException("A key got a second activation while its stripe was held.");
        }

        return spare.ContinueTurnAsync(turn);
    }

    /// <summary>
    /// A call that may run long, with activations that end when idle: finds or registers the key's
    /// activation under the stripe's lock, then runs the call there after letting the lock go.
    /// </summary>
    private ValueTask<TResult> InvokeOnOwnActivation<TCall, TResult>(Stripe stripe, ReadOnlySpan<byte> key, TCall call)
        where TCall : IGrainCall<TGrain, TResult>
    {
        while (true)
        {
            GrainActivation<TGrain>? activation;
            using (stripe.Gate.EnterScope())
            {
                if (!_bySpan.TryGetValue(key, out activation))
                {
                    var keyBytes = _findStoredKey?.Invoke(key) ?? key.ToArray();
                    activation = new GrainActivation<TGrain>(keyBytes, this, endWhenIdle: true);
                    activation.Attach(_activator.Create(activation));
                    if (!_activations.TryAdd(keyBytes, activation))
                    {
                        throw new InvalidOperationException("A key got a second activation while its stripe was held.");
                    }

                    Interlocked.Increment(ref _activated);
                }
            }

            // Another caller may run first and end the activation meanwhile: then it refuses and
            // this call looks again.
            if (activation.TryInvoke<TCall, TResult>(call, out var result))
            {
                return result;
            }

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

    // Stripes of activations that end when idle: a power of two, enough that unrelated keys
    // rarely share one while a borrowed turn runs.
    private const int StripeCount = 1024;

    /// <summary>The stripe of <paramref name="key"/> (for activations that end when idle).</summary>
    internal static int StripeOf(ReadOnlySpan<byte> key) => ByteArrayComparer.Instance.GetHashCode(key) & (StripeCount - 1);

    // Summed only when asked (the dashboard, once a second); counted under each stripe's lock,
    // so a call adds no shared atomic counter.
    private long BorrowedTurns()
    {
        long total = 0;
        foreach (var stripe in _stripes ?? [])
        {
            total += Volatile.Read(ref stripe.BorrowedTurns);
        }

        return total;
    }

    private sealed class Stripe
    {
        /// <summary>Turns run on a borrowed spare (changed under <see cref="Gate"/> only).</summary>
        public long BorrowedTurns;

        public Lock Gate { get; } = new();

        /// <summary>The activation the next borrowed turn uses; made on first need.</summary>
        public GrainActivation<TGrain>? Spare { get; set; }
    }
}

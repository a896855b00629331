namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>
/// One activation: the grain object and its turn queue. Calls run one at a time in arrival
/// order. A call that finds the activation free runs at once on the caller's thread (no queue,
/// no allocation); a call that finds it busy waits in the queue, and whoever ends a turn runs
/// the next one.
/// </summary>
/// <typeparam name="TGrain">The grain class.</typeparam>
internal sealed class GrainActivation<TGrain> : IGrainContext
    where TGrain : class
{
    private readonly Lock _gate = new();
    private readonly GrainRuntime<TGrain> _runtime;
    private readonly bool _endWhenIdle;
    private Queue<IPendingTurn>? _pending;
    private bool _running;
    private bool _deactivated;
    private bool _deactivateRequested;
    private TGrain? _grain;

    /// <param name="key">The grain id.</param>
    /// <param name="runtime">The runtime that holds this activation.</param>
    /// <param name="endWhenIdle">End as soon as no turn runs or waits.</param>
    public GrainActivation(byte[] key, GrainRuntime<TGrain> runtime, bool endWhenIdle = false)
    {
        Key = key;
        _runtime = runtime;
        _endWhenIdle = endWhenIdle;
        _deactivateRequested = endWhenIdle;
    }

    private interface IPendingTurn
    {
        /// <summary>Runs the turn; false when it went asynchronous and will end the turn itself.</summary>
        bool Run(GrainActivation<TGrain> activation);
    }

    /// <summary>The grain id; changes only on a stripe's spare, between borrowed turns.</summary>
    public byte[] Key { get; private set; }

    /// <summary>Collector sweeps that found this activation unused; any call resets it.</summary>
    internal int IdleSweeps { get; set; }

    internal TGrain Grain => _grain ?? throw new InvalidOperationException("The activation has no grain yet.");

    internal void Attach(TGrain grain) => _grain = grain;

    public void DeactivateOnIdle() => _deactivateRequested = true;

    // Withdraws a request of this turn; an activation that ends when idle still does.
    public void KeepActive() => _deactivateRequested = _endWhenIdle;

    /// <summary>
    /// Starts <paramref name="call"/>; false (and no call made) when the activation has been
    /// deactivated, in which case the caller looks the grain up again.
    /// </summary>
    public bool TryInvoke<TCall, TResult>(TCall call, out ValueTask<TResult> result)
        where TCall : IGrainCall<TGrain, TResult>
    {
        lock (_gate)
        {
            if (_deactivated)
            {
                result = default;
                return false;
            }

            IdleSweeps = 0;
            if (_running)
            {
                var pending = new PendingTurn<TCall, TResult>(call);
                (_pending ??= new Queue<IPendingTurn>()).Enqueue(pending);
                result = new ValueTask<TResult>(pending.Completion.Task);
                return true;
            }

            _running = true;
        }

        ValueTask<TResult> turn;
        try
        {
            turn = call.InvokeAsync(Grain);
        }
        catch (Exception exception)
        {
            // The grain threw: the caller sees the exception, the activation stays usable.
            EndTurn();
            result = ValueTask.FromException<TResult>(exception);
            return true;
        }

        if (turn.IsCompleted)
        {
            EndTurn();
            result = turn;
            return true;
        }

        result = FinishAsync(turn);
        return true;
    }

    /// <summary>
    /// Lends this spare to <paramref name="key"/> for one turn, run by the caller under the
    /// stripe's lock; no other caller can see the spare meanwhile.
    /// </summary>
    internal void Borrow(byte[] key)
    {
        Key = key;
        _running = true;
        _deactivateRequested = true;
    }

    /// <summary>Takes the spare back after a borrowed turn that completed at once.</summary>
    internal void Return()
    {
        Key = [];
        _running = false;
    }

    /// <summary>A borrowed turn went asynchronous: this is now the key's activation, in its turn.</summary>
    internal ValueTask<TResult> ContinueTurnAsync<TResult>(ValueTask<TResult> turn) => FinishAsync(turn);

    /// <summary>For the collector: deactivates when idle long enough and nothing runs or waits.</summary>
    internal bool TryCollect(int sweepsNeeded)
    {
        lock (_gate)
        {
            if (_deactivated || _running || _pending is { Count: > 0 })
            {
                return false;
            }

            if (++IdleSweeps < sweepsNeeded)
            {
                return false;
            }

            _deactivated = true;
        }

        return true;
    }

    private async ValueTask<TResult> FinishAsync<TResult>(ValueTask<TResult> turn)
    {
        try
        {
            return await turn;
        }
        finally
        {
            EndTurn();
        }
    }

    /// <summary>Ends the current turn: runs waiting turns, or frees the activation.</summary>
    private void EndTurn()
    {
        while (true)
        {
            IPendingTurn next;
            lock (_gate)
            {
                if (_pending is null || _pending.Count == 0)
                {
                    _running = false;
                    if (!_deactivateRequested)
                    {
                        return;
                    }

                    _deactivated = true;
                }
                else
                {
                    next = _pending.Dequeue();
                    goto run;
                }
            }

            _runtime.Remove(this);
            return;

        run:
            if (!next.Run(this))
            {
                return;
            }
        }
    }

    private sealed class PendingTurn<TCall, TResult>(TCall call) : IPendingTurn
        where TCall : IGrainCall<TGrain, TResult>
    {
        // Continuations run elsewhere, so a waiting caller never runs inside this grain's turn.
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Run(GrainActivation<TGrain> activation)
        {
            ValueTask<TResult> turn;
            try
            {
                turn = call.InvokeAsync(activation.Grain);
            }
            catch (Exception exception)
            {
                Completion.SetException(exception);
                return true;
            }

            if (turn.IsCompleted)
            {
                Complete(turn);
                return true;
            }

            _ = FinishAsync(activation, turn);
            return false;
        }

        private async Task FinishAsync(GrainActivation<TGrain> activation, ValueTask<TResult> turn)
        {
            try
            {
                Completion.SetResult(await turn);
            }
            catch (Exception exception)
            {
                Completion.SetException(exception);
            }
            finally
            {
                activation.EndTurn();
            }
        }

        private void Complete(ValueTask<TResult> turn)
        {
            try
            {
                Completion.SetResult(turn.Result);
            }
            catch (Exception exception)
            {
                Completion.SetException(exception);
            }
        }
    }
}

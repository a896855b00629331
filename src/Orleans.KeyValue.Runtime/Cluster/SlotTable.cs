using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>
/// Which key slots this silo serves, and the gate every local command passes. A command enters
/// its slot (a counter) and then checks that the slot is served; a hand-over first marks the
/// slot as moving and then waits for the counter to drain, so once it takes the slot's keys no
/// command can still be writing them (the interlocked operations order both sides). Commands
/// for a slot in transition wait for it to settle, then route again.
/// </summary>
public sealed class SlotTable
{
    private const int NotServed = 0;
    private const int Served = 1;
    private const int Moving = 2;
    private const int Waiting = 3;
    private const int Filling = 4;

    private readonly int[] _state = new int[KeySlot.Count];
    private readonly int[] _inFlight = new int[KeySlot.Count];
    private readonly int[] _gateWaiters = new int[KeySlot.Count];
    private readonly TaskCompletionSource?[] _settled = new TaskCompletionSource?[KeySlot.Count];
    private readonly bool[] _received = new bool[KeySlot.Count];
    private readonly SiloAddress?[] _awaitedFrom = new SiloAddress?[KeySlot.Count];
    private readonly SiloAddress?[] _redirected = new SiloAddress?[KeySlot.Count];
    private readonly Lock _gate = new();
    private readonly long[] _fillTokens = new long[KeySlot.Count];
    private long _lastFillToken;

    /// <summary>Slots served now.</summary>
    public int ServedCount => _state.Count(s => s is Served or Filling);

    /// <summary>Slots waiting for their keys from the previous owner.</summary>
    public int WaitingCount => _state.Count(s => s == Waiting);

    /// <summary>
    /// Enters <paramref name="slot"/> for one local command: true when it is served (call
    /// <see cref="Exit"/> after), false when not, with <paramref name="settled"/> set while the
    /// slot is in transition.
    /// </summary>
    public bool TryEnter(int slot, out Task? settled)
    {
        Interlocked.Increment(ref _inFlight[slot]);
        if (Volatile.Read(ref _state[slot]) == Served)
        {
            settled = null;
            return true;
        }

        Interlocked.Decrement(ref _inFlight[slot]);
        settled = Volatile.Read(ref _settled[slot])?.Task;
        return false;
    }

    /// <summary>Leaves a slot entered with <see cref="TryEnter"/>.</summary>
    public void Exit(int slot) => Interlocked.Decrement(ref _inFlight[slot]);

    /// <summary>True when <paramref name="slot"/> is served now.</summary>
    public bool IsServed(int slot) => Volatile.Read(ref _state[slot]) is Served or Filling;

    /// <summary>True while <paramref name="slot"/> waits for its keys from the silo that owned it.</summary>
    public bool IsWaiting(int slot) => Volatile.Read(ref _state[slot]) == Waiting;

    /// <summary>True while <paramref name="slot"/>'s keys are being copied to its backup (commands wait).</summary>
    public bool IsFilling(int slot) => Volatile.Read(ref _state[slot]) == Filling;

    /// <summary>
    /// Holds new commands of a served <paramref name="slot"/> back and waits until none is inside
    /// it, so that a copy of its keys taken now is complete until <see cref="EndFill"/>: every
    /// write that was inside has been stored, and none starts. False (nothing held) when the slot
    /// is not served here, or when commands are still inside after <paramref name="drainLimit"/>:
    /// a command inside may itself be waiting for the fill to end (a RESP command holds the slot
    /// while its key's grain, whose turn waits for fills, runs it), so the fill gives way and is
    /// tried again later rather than both waiting forever. The token it returns (0 when nothing
    /// is held) ends this fill only: a fill that outlives a move of the slot and its return cannot
    /// end a later one.
    /// </summary>
    public Task<long> BeginFillAsync(int slot, TimeSpan drainLimit, CancellationToken cancellationToken) =>
        BeginAsync(slot, drainLimit, yieldToGate: false, cancellationToken);

    private async Task<long> BeginAsync(int slot, TimeSpan drainLimit, bool yieldToGate, CancellationToken cancellationToken)
    {
        // Commands that found the slot held and wait at their grain's gate go first: they may
        // hold an entry of the slot (the router's), so a new hold would only wait for them, give
        // way, and, taken again before they get in, starve them (found by bench/fuzz.sh).
        await WaitAsync(() => Volatile.Read(ref _gateWaiters[slot]) == 0, drainLimit, cancellationToken);
        long token;
        lock (_gate)
        {
            if (_state[slot] != Served)
            {
                return 0;
            }

            BeginLocked(slot, Filling);
            token = _fillTokens[slot] = ++_lastFillToken;
        }

        var drained = false;
        try
        {
            // A hold (not a fill: a backup's copy must not be put off for long) gives way at once
            // to a command that reaches its grain's gate meanwhile: it may hold an entry of the
            // slot this drain waits for.
            Interlocked.MemoryBarrier();
            drained = yieldToGate
                ? await WaitAsync(() => Volatile.Read(ref _inFlight[slot]) == 0 || Volatile.Read(ref _gateWaiters[slot]) > 0, drainLimit, cancellationToken)
                    && Volatile.Read(ref _inFlight[slot]) == 0
                : await DrainAsync(slot, drainLimit, cancellationToken);
            return drained ? token : 0;
        }
        finally
        {
            if (!drained)
            {
                EndFill(slot, token);
            }
        }
    }

    /// <summary>
    /// Holds a served <paramref name="slot"/> for one caller alone, as a fill does (new commands
    /// wait, the ones inside finish within <paramref name="drainLimit"/>, else false), and counts
    /// the holder as a command inside, so that a hand-over of the slot waits for it.
    /// <see cref="ReleaseHold"/> ends it. False (nothing held) when the slot is not served here,
    /// is held already, or did not drain in time: wait for it to settle and ask again.
    /// </summary>
    public async Task<long> TryHoldAsync(int slot, TimeSpan drainLimit, CancellationToken cancellationToken)
    {
        var token = await BeginAsync(slot, drainLimit, yieldToGate: true, cancellationToken);
        if (token == 0)
        {
            return 0;
        }

        lock (_gate)
        {
            // Unless a hand-over began meanwhile (it waits for the count only from now on).
            if (_state[slot] == Filling && _fillTokens[slot] == token)
            {
                Interlocked.Increment(ref _inFlight[slot]);
                return token;
            }
        }

        return 0;
    }

    /// <summary>Ends a hold taken with <see cref="TryHoldAsync"/> (its token): commands of the slot go on.</summary>
    public void ReleaseHold(int slot, long token)
    {
        Interlocked.Decrement(ref _inFlight[slot]);
        EndFill(slot, token);
    }

    /// <summary>
    /// Lets commands of <paramref name="slot"/> in again after the <see cref="BeginFillAsync"/>
    /// that gave <paramref name="token"/>, unless the slot started moving meanwhile, or another
    /// fill or hold has it now.
    /// </summary>
    public void EndFill(int slot, long token)
    {
        lock (_gate)
        {
            if (_state[slot] == Filling && _fillTokens[slot] == token)
            {
                SettleLocked(slot, Served);
            }
        }
    }

    /// <summary>Serves <paramref name="slot"/> from now on (a new slot, or its keys arrived).</summary>
    public void Serve(int slot) => Settle(slot, Served);

    /// <summary>Stops serving <paramref name="slot"/> (its keys left, or the silo lost it).</summary>
    public void Drop(int slot)
    {
        Settle(slot, NotServed);
        lock (_gate)
        {
            _received[slot] = false;
            _redirected[slot] = null;
            _awaitedFrom[slot] = null;
        }
    }

    /// <summary>
    /// Marks <paramref name="slot"/> as waiting for its keys from the previous owner; false (and
    /// the slot served at once) when they already arrived.
    /// </summary>
    public bool Await(int slot, SiloAddress from)
    {
        lock (_gate)
        {
            // A previous owner that handed the slot on before its keys reached it said where they come from.
            _awaitedFrom[slot] = _redirected[slot] ?? from;
            _redirected[slot] = null;
            if (_received[slot])
            {
                _received[slot] = false;
                SettleLocked(slot, Served);
                return false;
            }

            BeginLocked(slot, Waiting);
            return true;
        }
    }

    /// <summary>
    /// Starts taking a hand-over of <paramref name="slot"/>: <see cref="HandoverReceipt.Accept"/>
    /// (install the keys, then call <see cref="Received"/> or <see cref="Redirect"/>, then
    /// <see cref="Exit"/>) when the slot waits for its keys, or is not served yet and
    /// <paramref name="ownerOrBehind"/> (this silo's view gives it the slot, or is older than the
    /// sender's); <see cref="HandoverReceipt.Ignore"/>
    /// when it is served already (its keys here are newer than the sender's);
    /// <see cref="HandoverReceipt.Refuse"/> when this silo is moving it on itself.
    /// </summary>
    public HandoverReceipt BeginReceive(int slot, bool ownerOrBehind)
    {
        lock (_gate)
        {
            switch (_state[slot])
            {
                case Served or Filling:
                    return HandoverReceipt.Ignore;
                case Moving:
                    return HandoverReceipt.Refuse;
                case NotServed when !ownerOrBehind:
                    // A view as new as the sender's gives the slot to another silo (this one
                    // handed it on already, or never had it): the sender hands it there.
                    return HandoverReceipt.Refuse;
                default:
                    // Counted like a command inside the slot: a move that starts now waits for
                    // the keys to be installed, and takes them along.
                    Interlocked.Increment(ref _inFlight[slot]);
                    return HandoverReceipt.Accept;
            }
        }
    }

    /// <summary>The keys of <paramref name="slot"/> arrived: serve it if waiting, else remember for when the view catches up.</summary>
    public void Received(int slot)
    {
        lock (_gate)
        {
            if (_state[slot] == Waiting)
            {
                SettleLocked(slot, Served);
            }
            else if (_state[slot] != Served)
            {
                // Before the view says the slot is this silo's, or while a move waits for these
                // keys to be installed (the move takes them along).
                _received[slot] = true;
            }
        }
    }

    /// <summary>
    /// The previous owner handed <paramref name="slot"/> on without keys: it was itself still
    /// waiting for them from <paramref name="from"/>, which now sends them here.
    /// </summary>
    public void Redirect(int slot, SiloAddress from)
    {
        lock (_gate)
        {
            if (_state[slot] is Waiting or Moving)
            {
                _awaitedFrom[slot] = from;
            }
            else if (_state[slot] == NotServed && !_received[slot])
            {
                _redirected[slot] = from;
            }
        }
    }

    /// <summary>True when the slot's keys arrived before the view said the slot is this silo's.</summary>
    public bool WasReceived(int slot)
    {
        lock (_gate)
        {
            return _received[slot];
        }
    }

    /// <summary>The slots waiting for their keys, and the silo each waits for.</summary>
    public List<(int Slot, SiloAddress From)> WaitingSlots()
    {
        lock (_gate)
        {
            var waiting = new List<(int, SiloAddress)>();
            for (var slot = 0; slot < _state.Length; slot++)
            {
                if (_state[slot] == Waiting && _awaitedFrom[slot] is { } from)
                {
                    waiting.Add((slot, from));
                }
            }

            return waiting;
        }
    }

    /// <summary>
    /// Starts moving <paramref name="slot"/> out and waits until no command (and no incoming
    /// hand-over) is inside it. Returns the silo whose keys the slot was still waiting for (the
    /// new owner must wait for them instead), or null when its keys are here.
    /// </summary>
    public async Task<SiloAddress?> BeginMoveAsync(int slot, CancellationToken cancellationToken)
    {
        bool wasWaiting;
        lock (_gate)
        {
            wasWaiting = _state[slot] == Waiting;
            BeginLocked(slot, Moving);
        }

        await DrainAsync(slot, cancellationToken);
        lock (_gate)
        {
            var arrived = _received[slot];
            _received[slot] = false;
            return wasWaiting && !arrived ? _awaitedFrom[slot] : null;
        }
    }

    private async Task DrainAsync(int slot, CancellationToken cancellationToken) =>
        await DrainAsync(slot, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Counts a command that found <paramref name="slot"/> held (filled or held for a turn) and
    /// waits to enter it at its key grain's gate; <see cref="LeaveGate"/> once it entered or gave up.
    /// A fill or hold about to begin lets such commands in first (bounded by its drain limit).
    /// </summary>
    public void WaitAtGate(int slot) => Interlocked.Increment(ref _gateWaiters[slot]);

    /// <summary>Ends a <see cref="WaitAtGate"/>.</summary>
    public void LeaveGate(int slot) => Interlocked.Decrement(ref _gateWaiters[slot]);

    /// <summary>Waits until no command is inside <paramref name="slot"/>; false when some still are after <paramref name="limit"/>.</summary>
    private Task<bool> DrainAsync(int slot, TimeSpan limit, CancellationToken cancellationToken)
    {
        Interlocked.MemoryBarrier();
        return WaitAsync(() => Volatile.Read(ref _inFlight[slot]) == 0, limit, cancellationToken);
    }

    /// <summary>Waits until <paramref name="done"/>; false when it is not after <paramref name="limit"/>.</summary>
    private static async Task<bool> WaitAsync(Func<bool> done, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        var spin = 0;
        while (!done())
        {
            if (limit != Timeout.InfiniteTimeSpan && Environment.TickCount64 - started > limit.TotalMilliseconds)
            {
                return false;
            }

            // Commands inside are grain turns already running (a replicated write waits for its
            // backup, bounded by its timeout): short. Yield, then back off.
            if (++spin < 100)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1, cancellationToken);
            }
        }

        return true;
    }

    private void Settle(int slot, int state)
    {
        lock (_gate)
        {
            SettleLocked(slot, state);
        }
    }

    private void SettleLocked(int slot, int state)
    {
        Volatile.Write(ref _state[slot], state);
        var waiters = _settled[slot];
        _settled[slot] = null;
        waiters?.TrySetResult();
    }

    private void BeginLocked(int slot, int state)
    {
        _settled[slot] ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _state[slot], state);
    }
}

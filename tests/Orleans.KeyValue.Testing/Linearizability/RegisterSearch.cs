namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// The linearizability search for one key's history (Wing and Gong, with Lowe's memoization).
/// Calls and returns form one list in time order. Walking it from the start, every call met before
/// the first return belongs to an operation invoked before every pending operation completed: any
/// of them may be the next in the linearization. The search tries them in turn; one whose reply the
/// register gives, from a configuration not explored before, is linearized (taken out of the list)
/// and the walk restarts. Meeting a return means its operation cannot be put off any longer and was
/// not placed: undo the last choice and try the next call after it. Unknown operations return at
/// infinity, so they are never forced; the history is linearizable once every replied operation is placed.
/// </summary>
/// <remarks>
/// Three register-specific cuts keep many concurrent clients tractable, all exact:
/// <list type="bullet">
/// <item>A read-only operation (see <see cref="RegisterOperation.IsReadOnly"/>) that fits now is placed
/// now, without trying the alternatives: in any linearization from here that places it later, it can
/// move to the front (it was invoked before every other pending operation completed, and it changes
/// nothing), so if placing it now fails, so does the configuration before it.</item>
/// <item>A step that leaves state s while some replied GET of s is unplaced and no unplaced operation
/// can write s again is refused: that GET could never be placed.</item>
/// <item>An unknown operation that would change nothing is not placed: dropping it from any
/// linearization leaves one, and it need never be placed.</item>
/// </list>
/// </remarks>
internal sealed partial class RegisterSearch
{
    private const int Missing = RegisterOperation.Missing;

    // The clock is read this often (in steps) to honour the budget; a step takes well under a microsecond.
    private const int ClockCheckInterval = 4096;

    private readonly string _key;
    private readonly int _operationCount;
    private readonly HistoryOperation[] _sources;
    private readonly int[] _positions;
    private readonly RegisterOperation[] _operations;
    private readonly List<string> _values = [];
    private readonly int _repliedCount;
    private int _unobserved = Missing;

    // The call/return list: entry 2i is operation i's call, 2i+1 its return, 2n the head sentinel.
    // Circular and doubly linked, so an operation taken out is put back in O(1) when the search
    // backtracks (dancing links); the links, not the numbers, give the time order.
    private readonly int _head;
    private readonly int[] _next;
    private readonly int[] _previous;

    // The search's position: the linearized operations as a stack (with the state before each and
    // whether it was a forced read-only step), as a bitset, and the state they leave.
    private readonly int[] _stackOperations;
    private readonly int[] _stackStates;
    private readonly bool[] _stackForced;
    private readonly ulong[] _linearized;
    private readonly HashSet<SearchCacheKey> _explored = [];
    private int _depth;
    private ulong _setHash;
    private int _state = Missing;
    private int _unplacedReplied;

    // Indexed by state + 1 (so Missing is 0): unplaced replied GETs of each state, and unplaced
    // operations that may write it.
    private readonly int[] _unplacedReads;
    private readonly int[] _unplacedWriters;

    // The deepest point reached, by replied operations placed: the explanation of a failure.
    private int[] _bestPrefix = [];
    private int _bestReplied = -1;

    /// <param name="key">The key, for messages.</param>
    /// <param name="operations">Every operation on the key, each with its position in the whole history.</param>
    public RegisterSearch(string key, IReadOnlyList<(HistoryOperation Operation, int Position)> operations)
    {
        _key = key;
        _operationCount = operations.Count;

        // A failed operation did not run, and an unanswered GET changes nothing and constrains nothing.
        var kept = operations
            .Where(o => o.Operation.Outcome switch
            {
                OperationOutcome.Ok => true,
                OperationOutcome.Unknown => o.Operation.Kind != OperationKind.Get,
                _ => false,
            })
            .ToArray();
        var n = kept.Length;
        _sources = new HistoryOperation[n];
        _positions = new int[n];
        _operations = new RegisterOperation[n];
        var valueIds = new Dictionary<string, int>(StringComparer.Ordinal);

        // Values no GET saw and no IFEQ compares with are all alike to every operation here (only
        // their presence counts), so one state stands for them all: orders that differ only in
        // which of them the key held then meet in the memo.
        var observed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (operation, _) in kept)
        {
            if (operation.Expected is { } expected)
            {
                observed.Add(expected);
            }

            if (operation is { Outcome: OperationOutcome.Ok, Kind: OperationKind.Get, Result: { Kind: OperationResultKind.Bulk, Text: { } seen } })
            {
                observed.Add(seen);
            }
        }

        for (var i = 0; i < n; i++)
        {
            _sources[i] = kept[i].Operation;
            _positions[i] = kept[i].Position;
            _operations[i] = Compile(kept[i].Operation, valueIds, observed);
            if (!_operations[i].IsUnknown)
            {
                _repliedCount++;
            }
        }

        _unplacedReads = new int[_values.Count + 1];
        _unplacedWriters = new int[_values.Count + 1];
        foreach (var operation in _operations)
        {
            Count(operation, 1);
        }

        _head = 2 * n;
        _next = new int[(2 * n) + 1];
        _previous = new int[(2 * n) + 1];
        BuildList();

        _stackOperations = new int[n];
        _stackStates = new int[n];
        _stackForced = new bool[n];
        _linearized = new ulong[(n + 63) / 64];
        _unplacedReplied = _repliedCount;
    }

    /// <summary>Searches once; <paramref name="budget"/> counts from <paramref name="startTimestamp"/>.</summary>
    public KeyCheckResult Run(TimeProvider timeProvider, long startTimestamp, TimeSpan? budget)
    {
        if (FindEvidentViolation() is { } evident)
        {
            return evident;
        }

        long steps = 0;
        var entry = _head;
        var freshConfiguration = true;
        while (_unplacedReplied > 0)
        {
            // Checked on the first step too, so a budget spent before this key started stops it at once.
            if (steps++ % ClockCheckInterval == 0 && budget is { } limit && timeProvider.GetElapsedTime(startTimestamp) > limit)
            {
                return TimedOut(_explored.Count, _bestPrefix, limit);
            }

            if (freshConfiguration)
            {
                freshConfiguration = false;
                entry = _next[_head];
                var forced = FirstFittingReadOnly();
                if (forced >= 0)
                {
                    if (TryPlace(forced, _state, forced: true))
                    {
                        freshConfiguration = true;
                    }
                    else if (!TryBacktrack(out entry))
                    {
                        // Explored before, from here: this configuration fails, and with it the one before.
                        return NotLinearizable(_explored.Count, _bestPrefix);
                    }

                    continue;
                }
            }

            if (entry == _head || !IsCall(entry))
            {
                // A return (unknown operations return after every replied one, so this is a replied
                // operation that was never placed): the last choice was wrong.
                if (!TryBacktrack(out entry))
                {
                    return NotLinearizable(_explored.Count, _bestPrefix);
                }

                continue;
            }

            var operation = entry / 2;
            if (_operations[operation].TryApply(_state, out var nextState)
                && !(_operations[operation].IsUnknown && nextState == _state)
                && !StrandsARead(nextState)
                && TryPlace(operation, nextState, forced: false))
            {
                freshConfiguration = true;
                continue;
            }

            entry = _next[entry];
        }

        return new KeyCheckResult(
            _key,
            LinearizabilityVerdict.Linearizable,
            _operationCount,
            _explored.Count,
            Summary("linearizable", _explored.Count),
            [],
            []);
    }

    // Calls up to the first return are the candidates for the next place.
    private int FirstFittingReadOnly()
    {
        for (var entry = _next[_head]; entry != _head && IsCall(entry); entry = _next[entry])
        {
            var operation = _operations[entry / 2];
            if (operation.IsReadOnly && operation.TryApply(_state, out _))
            {
                return entry / 2;
            }
        }

        return -1;
    }

    // Leaving a state that an unplaced GET still has to see, when nothing left can bring it back.
    private bool StrandsARead(int nextState) =>
        nextState != _state
        && _unplacedReads[_state + 1] > 0
        && _unplacedWriters[_state + 1] == 0;

    /// <summary>Linearizes <paramref name="operation"/> next, unless that configuration was explored before.</summary>
    private bool TryPlace(int operation, int nextState, bool forced)
    {
        _linearized[operation >> 6] |= 1UL << (operation & 63);
        var nextHash = _setHash ^ Zobrist(operation);
        var configuration = new SearchCacheKey(_linearized, nextState, nextHash);
        if (_explored.Contains(configuration))
        {
            _linearized[operation >> 6] &= ~(1UL << (operation & 63));
            return false;
        }

        _explored.Add(configuration.Snapshot());
        _stackOperations[_depth] = operation;
        _stackStates[_depth] = _state;
        _stackForced[_depth] = forced;
        _depth++;
        _state = nextState;
        _setHash = nextHash;
        Lift(operation);
        Count(_operations[operation], -1);
        if (!_operations[operation].IsUnknown)
        {
            _unplacedReplied--;
        }

        if (_repliedCount - _unplacedReplied > _bestReplied)
        {
            _bestReplied = _repliedCount - _unplacedReplied;
            _bestPrefix = _stackOperations[.._depth];
        }

        return true;
    }

    /// <summary>
    /// Undoes the last choice (and the forced steps above it, which fail with it); <paramref name="entry"/>
    /// is where the walk resumes. False when there is nothing left to undo: no linearization exists.
    /// </summary>
    private bool TryBacktrack(out int entry)
    {
        int operation;
        bool forced;
        do
        {
            if (_depth == 0)
            {
                entry = _head;
                return false;
            }

            _depth--;
            operation = _stackOperations[_depth];
            forced = _stackForced[_depth];
            _state = _stackStates[_depth];
            _linearized[operation >> 6] &= ~(1UL << (operation & 63));
            _setHash ^= Zobrist(operation);
            Unlift(operation);
            Count(_operations[operation], 1);
            if (!_operations[operation].IsUnknown)
            {
                _unplacedReplied++;
            }
        }
        while (forced);

        entry = _next[CallEntry(operation)];
        return true;
    }

    private void Count(RegisterOperation operation, int delta)
    {
        if (operation is { IsUnknown: false, Kind: OperationKind.Get, Impossible: false })
        {
            _unplacedReads[operation.Read + 1] += delta;
        }

        if (operation.Writes != RegisterOperation.NoWrite)
        {
            _unplacedWriters[operation.Writes + 1] += delta;
        }
    }

    private RegisterOperation Compile(HistoryOperation operation, Dictionary<string, int> valueIds, HashSet<string> observed)
    {
        var value = operation.Value is null ? Missing
            : observed.Contains(operation.Value) ? Intern(operation.Value, valueIds)
            : Unobserved();
        var expected = operation.Expected is null ? Missing : Intern(operation.Expected, valueIds);
        var isUnknown = operation.Outcome == OperationOutcome.Unknown;
        var read = Missing;
        var applied = false;
        var impossible = false;
        if (!isUnknown)
        {
            var result = operation.Result;
            switch (operation.Kind)
            {
                case OperationKind.Set:
                    impossible = result.Kind != OperationResultKind.Ok;
                    break;
                case OperationKind.Get:
                    // A value nobody wrote still gets an id: no step ever reaches that state.
                    impossible = result.Kind is not (OperationResultKind.Bulk or OperationResultKind.Nil);
                    read = result is { Kind: OperationResultKind.Bulk, Text: { } text } ? Intern(text, valueIds) : Missing;
                    break;
                case OperationKind.Del:
                    impossible = result.Kind != OperationResultKind.Integer || result.Number is not (0 or 1);
                    applied = result.Number == 1;
                    break;
                default:
                    // SET NX and SET IFEQ reply OK or nil; the SETNX command's 1 and 0 mean the same.
                    applied = result.Kind == OperationResultKind.Ok
                        || (result.Kind == OperationResultKind.Integer && result.Number == 1);
                    impossible = !applied
                        && result.Kind != OperationResultKind.Nil
                        && !(result.Kind == OperationResultKind.Integer && result.Number == 0);
                    break;
            }
        }

        return new RegisterOperation(operation.Kind, isUnknown, value, expected, read, applied, impossible);
    }

    private int Unobserved()
    {
        if (_unobserved == Missing)
        {
            _unobserved = _values.Count;
            _values.Add("(a value no GET saw)");
        }

        return _unobserved;
    }

    private int Intern(string value, Dictionary<string, int> valueIds)
    {
        if (!valueIds.TryGetValue(value, out var id))
        {
            id = _values.Count;
            _values.Add(value);
            valueIds.Add(value, id);
        }

        return id;
    }

    private void BuildList()
    {
        var order = new int[_head];
        for (var entry = 0; entry < order.Length; entry++)
        {
            order[entry] = entry;
        }

        // Ties in time put calls first: an operation invoked at the tick another completed may have
        // overlapped it, and treating them as concurrent only allows more orders, never a false
        // violation. Unknown operations return after everything (at infinity).
        Array.Sort(order, (a, b) =>
        {
            var byTime = EntryTime(a).CompareTo(EntryTime(b));
            if (byTime != 0)
            {
                return byTime;
            }

            var byRank = EntryRank(a).CompareTo(EntryRank(b));
            return byRank != 0 ? byRank : a.CompareTo(b);
        });

        var previous = _head;
        foreach (var entry in order)
        {
            _next[previous] = entry;
            _previous[entry] = previous;
            previous = entry;
        }

        _next[previous] = _head;
        _previous[_head] = previous;
    }

    private static bool IsCall(int entry) => entry % 2 == 0;

    private static int CallEntry(int operation) => 2 * operation;

    private static int ReturnEntry(int operation) => (2 * operation) + 1;

    private long EntryTime(int entry) => IsCall(entry) ? _sources[entry / 2].InvokeTime : Deadline(entry / 2);

    private long Deadline(int operation) => _operations[operation].IsUnknown ? long.MaxValue : _sources[operation].CompleteTime;

    private int EntryRank(int entry) => IsCall(entry) ? 0 : _operations[entry / 2].IsUnknown ? 2 : 1;

    private void Lift(int operation)
    {
        Remove(CallEntry(operation));
        Remove(ReturnEntry(operation));
    }

    // Put back in the reverse order of removal: the neighbours' links still point at the entries.
    private void Unlift(int operation)
    {
        Restore(ReturnEntry(operation));
        Restore(CallEntry(operation));
    }

    private void Remove(int entry)
    {
        _next[_previous[entry]] = _next[entry];
        _previous[_next[entry]] = _previous[entry];
    }

    private void Restore(int entry)
    {
        _next[_previous[entry]] = entry;
        _previous[_next[entry]] = entry;
    }

    // SplitMix64 of the operation's index: fixed random codes, so runs are reproducible.
    private static ulong Zobrist(int operation)
    {
        var z = ((ulong)operation + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

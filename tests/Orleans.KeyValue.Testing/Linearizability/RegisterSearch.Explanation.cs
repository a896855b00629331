using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>What a failed search tells the reader: where the deepest order got stuck, and why.</summary>
internal sealed partial class RegisterSearch
{
    // A failing test prints this much of the prefix: the end is where the trouble is.
    private const int ShownPrefix = 20;
    private const int ShownCandidates = 20;

    private KeyCheckResult NotLinearizable(int statesExplored, int[] prefix)
    {
        var placed = new bool[_operations.Length];
        var state = Replay(prefix, placed);
        var text = new StringBuilder(Summary("not linearizable", statesExplored));
        AppendPrefix(text, prefix, state);

        // The replied operation that completes first among those not placed: whatever comes next
        // must be invoked before it completed, and nothing the search tried there worked.
        var deadline = Enumerable.Range(0, _operations.Length)
            .Where(o => !placed[o] && !_operations[o].IsUnknown)
            .MinBy(o => (_sources[o].CompleteTime, o));
        var candidates = Enumerable.Range(0, _operations.Length)
            .Where(o => !placed[o] && _sources[o].InvokeTime <= _sources[deadline].CompleteTime)
            .OrderBy(o => (_sources[o].InvokeTime, o))
            .ToArray();
        text.Append(CultureInfo.InvariantCulture, $"\nStuck there: #{_positions[deadline]} completes next, so one of the operations invoked by then must come next, and none can:\n");
        foreach (var candidate in candidates.Take(ShownCandidates))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Describe(candidate)}: {WhyNot(candidate, state, placed)}\n");
        }

        if (candidates.Length > ShownCandidates)
        {
            text.Append(CultureInfo.InvariantCulture, $"  ... and {candidates.Length - ShownCandidates} more\n");
        }

        return new KeyCheckResult(
            _key,
            LinearizabilityVerdict.NotLinearizable,
            _operationCount,
            statesExplored,
            text.ToString().TrimEnd('\n'),
            [.. prefix.Select(o => _sources[o])],
            [.. candidates.Select(o => _sources[o])]);
    }

    private KeyCheckResult TimedOut(int statesExplored, int[] prefix, TimeSpan budget)
    {
        var placed = new bool[_operations.Length];
        var state = Replay(prefix, placed);
        var text = new StringBuilder(Summary(string.Create(CultureInfo.InvariantCulture, $"undecided: the budget of {budget} ran out"), statesExplored));
        AppendPrefix(text, prefix, state);
        return new KeyCheckResult(
            _key,
            LinearizabilityVerdict.TimedOut,
            _operationCount,
            statesExplored,
            text.ToString().TrimEnd('\n'),
            [.. prefix.Select(o => _sources[o])],
            []);
    }

    private string Summary(string verdict, int statesExplored) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Key {OperationResult.Quote(_key)}: {verdict} ({_operationCount} operations, {statesExplored} configurations explored).");

    private int Replay(int[] prefix, bool[] placed)
    {
        var state = Missing;
        foreach (var operation in prefix)
        {
            _operations[operation].TryApply(state, out state);
            placed[operation] = true;
        }

        return state;
    }

    private void AppendPrefix(StringBuilder text, int[] prefix, int state)
    {
        var replied = prefix.Count(o => !_operations[o].IsUnknown);
        text.Append(CultureInfo.InvariantCulture, $"\nLongest linearizable prefix found: {replied} of {_repliedCount} replied operations");
        text.Append(CultureInfo.InvariantCulture, $" ({prefix.Length} in all), after which the key holds {Show(state)}:\n");
        if (prefix.Length > ShownPrefix)
        {
            text.Append(CultureInfo.InvariantCulture, $"  ... {prefix.Length - ShownPrefix} earlier operations\n");
        }

        foreach (var operation in prefix.Skip(Math.Max(0, prefix.Length - ShownPrefix)))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Describe(operation)}\n");
        }
    }

    private string WhyNot(int operation, int state, bool[] placed)
    {
        var op = _operations[operation];
        if (op.TryApply(state, out var next))
        {
            if (op.IsUnknown && next == state)
            {
                return "unknown, and it would change nothing here";
            }

            // The search's stranded-read cut, recomputed for this prefix.
            var reader = Enumerable.Range(0, _operations.Length).FirstOrDefault(
                o => !placed[o] && _operations[o] is { IsUnknown: false, Kind: OperationKind.Get, Impossible: false } && _operations[o].Read == state,
                -1);
            var rewritable = Enumerable.Range(0, _operations.Length).Any(o => !placed[o] && o != operation && _operations[o].Writes == state);
            return next != state && reader >= 0 && !rewritable
                ? string.Create(CultureInfo.InvariantCulture, $"it replaces {Show(state)} for good, yet {Describe(reader)} has still to read it")
                : "it fits, but nothing fits after it";
        }

        if (op.Impossible)
        {
            return "this command never gives that reply";
        }

        var holds = Show(state);
        return op.Kind switch
        {
            OperationKind.Get => string.Create(CultureInfo.InvariantCulture, $"read {Show(op.Read)} but the key holds {holds}"),
            OperationKind.Del when op.Applied => "deleted a key that is missing",
            OperationKind.Del => "found no key but the key holds " + holds,
            OperationKind.SetNx when op.Applied => "set a key that holds " + holds,
            OperationKind.SetNx => "did not set a missing key",
            OperationKind.SetIfEq when op.Applied => "matched but the key holds " + holds,
            _ => "did not match but the key holds " + holds,
        };
    }

    private string Describe(int operation) =>
        string.Create(CultureInfo.InvariantCulture, $"#{_positions[operation]} {_sources[operation]}");

    private string Show(int state) =>
        state == Missing ? OperationResult.Quote(null)
        : state == _unobserved ? _values[state]
        : OperationResult.Quote(_values[state]);
}

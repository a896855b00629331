namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// Decides whether a history of operations on Redis string keys is linearizable: whether one order
/// of the operations exists that respects real time (an operation that completed before another was
/// invoked comes first) and in which each reply is what a single register would have given.
/// </summary>
/// <remarks>
/// Keys are independent registers, and a history is linearizable exactly when each key's part is
/// (linearizability is compositional), so each key is checked on its own: first for violations the
/// timestamps show directly (a stale read, a read of a value nothing wrote in time), then by Wing and
/// Gong's search with Lowe's memoization of explored (linearized set, state) configurations. Failed
/// operations are dropped; unknown ones may take effect at any moment after their invocation, or never.
/// The search is exponential in the worst case: proving a violation the timestamps do not show, in
/// a history with many unknown operations or many clients on one key, can take long; the budget
/// bounds it.
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Checks every key of <paramref name="history"/>.</summary>
    /// <param name="history">The operations, in any order; see <see cref="HistoryRecorder"/>.</param>
    /// <param name="budget">
    /// Time for the whole check, or null for no limit. Keys are searched smallest first; a key still
    /// searching when the budget is spent is <see cref="LinearizabilityVerdict.TimedOut"/>.
    /// </param>
    /// <param name="timeProvider">The clock for the budget; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">An operation is malformed (see <see cref="HistoryOperation"/>).</exception>
    public static LinearizabilityResult Check(
        IEnumerable<HistoryOperation> history,
        TimeSpan? budget = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        timeProvider ??= TimeProvider.System;
        var start = timeProvider.GetTimestamp();

        var byKey = new Dictionary<string, List<(HistoryOperation Operation, int Position)>>(StringComparer.Ordinal);
        var position = 0;
        foreach (var operation in history)
        {
            Validate(operation);
            if (!byKey.TryGetValue(operation.Key, out var operations))
            {
                operations = [];
                byKey.Add(operation.Key, operations);
            }

            operations.Add((operation, position++));
        }

        // Smallest first: a budget spent on one huge key still leaves verdicts on the others.
        var results = byKey
            .OrderBy(k => k.Value.Count)
            .ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => new RegisterSearch(k.Key, k.Value).Run(timeProvider, start, budget))
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .ToArray();
        return new LinearizabilityResult(results);
    }

    /// <summary>Throws unless <paramref name="operation"/> carries the arguments its kind needs and a reply if it has one.</summary>
    internal static void Validate(HistoryOperation? operation)
    {
        if (operation is null)
        {
            throw new ArgumentException("The history holds a null operation.", nameof(operation));
        }

        ArgumentNullException.ThrowIfNull(operation.Key);
        var writes = operation.Kind is OperationKind.Set or OperationKind.SetNx or OperationKind.SetIfEq;
        if (!Enum.IsDefined(operation.Kind)
            || writes != (operation.Value is not null)
            || (operation.Kind == OperationKind.SetIfEq) != (operation.Expected is not null))
        {
            throw new ArgumentException("The arguments do not fit the command: " + operation, nameof(operation));
        }

        if (operation.Outcome == OperationOutcome.Ok
            && (operation.Result.Kind == OperationResultKind.None || operation.CompleteTime < operation.InvokeTime))
        {
            throw new ArgumentException("A replied operation needs a reply and must complete after its invocation: " + operation, nameof(operation));
        }
    }
}

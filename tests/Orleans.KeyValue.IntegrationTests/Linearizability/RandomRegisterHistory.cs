using System.Globalization;
using Orleans.KeyValue.Testing.Linearizability;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>
/// Random histories of one register that are linearizable by construction: the operations run one
/// at a time on a model register, each at its own linearization point, and each gets an interval
/// around its point on a client that is idle by then. Every written value is unique, so a read
/// points at the one write it saw.
/// </summary>
internal static class RandomRegisterHistory
{
    public const string Key = "k";

    /// <param name="random">The source of every choice: a seeded one makes the history reproducible.</param>
    /// <param name="clients">Clients running operations concurrently (each one at a time).</param>
    /// <param name="operationsPerClient">Operations each client runs.</param>
    /// <param name="maxSpan">How far past its point an operation may complete: larger means more overlap.</param>
    /// <param name="unknownRate">Share of operations that get no reply; half of them take effect.</param>
    /// <param name="failedRate">Share of operations that fail without taking effect.</param>
    public static List<HistoryOperation> Generate(
        Random random,
        int clients,
        int operationsPerClient,
        int maxSpan,
        double unknownRate = 0,
        double failedRate = 0)
    {
        var busyUntil = new long[clients];
        var left = new int[clients];
        Array.Fill(left, operationsPerClient);
        var history = new List<HistoryOperation>();
        var written = new List<string>();
        string? state = null;
        long point = 0;
        while (left.Any(l => l > 0))
        {
            point += 1 + random.Next(3);
            var idle = Enumerable.Range(0, clients).Where(c => left[c] > 0 && busyUntil[c] < point).ToArray();
            if (idle.Length == 0)
            {
                // Every client with work left is busy: move on to the first moment one is idle.
                point = Enumerable.Range(0, clients).Where(c => left[c] > 0).Min(c => busyUntil[c]);
                continue;
            }

            var client = idle[random.Next(idle.Length)];
            var invoke = random.NextInt64(busyUntil[client] + 1, point + 1);
            var complete = point + random.Next(maxSpan + 1);
            busyUntil[client] = complete;
            left[client]--;

            var operation = NextOperation(random, client, invoke, complete, state, written);
            var roll = random.NextDouble();
            if (roll < unknownRate)
            {
                if (random.Next(2) == 0)
                {
                    state = Apply(operation, state).State;
                }

                operation = operation with { Outcome = OperationOutcome.Unknown, CompleteTime = long.MaxValue };
            }
            else if (roll < unknownRate + failedRate)
            {
                operation = operation with { Outcome = OperationOutcome.Failed };
            }
            else
            {
                var (result, next) = Apply(operation, state);
                state = next;
                operation = operation with { Outcome = OperationOutcome.Ok, Result = result };
            }

            if (operation.Value is not null)
            {
                written.Add(operation.Value);
            }

            history.Add(operation);
        }

        return history;
    }

    /// <summary>
    /// A copy of <paramref name="history"/> with one replied GET changed to a reply no linearization
    /// gives: a value first written by an operation invoked after the GET completed (the GET precedes
    /// it in every order, and the value is unique), or else a value never written. Null when the
    /// history has no replied GET.
    /// </summary>
    public static List<HistoryOperation>? CorruptOneRead(List<HistoryOperation> history, Random random)
    {
        var reads = Enumerable.Range(0, history.Count)
            .Where(i => history[i] is { Kind: OperationKind.Get, Outcome: OperationOutcome.Ok })
            .ToArray();
        if (reads.Length == 0)
        {
            return null;
        }

        var index = reads[random.Next(reads.Length)];
        var read = history[index];
        var later = history
            .Where(o => o.InvokeTime > read.CompleteTime)
            .Select(o => o.Value)
            .OfType<string>()
            .ToArray();
        var value = later.Length > 0 ? later[random.Next(later.Length)] : "never-written";
        var corrupted = new List<HistoryOperation>(history);
        corrupted[index] = read with { Result = OperationResult.Bulk(value) };
        return corrupted;
    }

    /// <summary>
    /// A copy of <paramref name="history"/> where two replied GETs inside one replied SET's interval,
    /// the second invoked after the first completed, see that SET's value and then the value before it
    /// (written only by operations that completed before the SET began): time going backwards, which
    /// no order explains and which the timestamps alone do not show. Null when no such pair exists.
    /// </summary>
    public static List<HistoryOperation>? CorruptReadsToGoBack(List<HistoryOperation> history)
    {
        foreach (var set in history.Where(o => o is { Kind: OperationKind.Set, Outcome: OperationOutcome.Ok }))
        {
            var before = history
                .Where(o => o is { Value: not null, Outcome: OperationOutcome.Ok } && o.CompleteTime < set.InvokeTime)
                .MaxBy(o => o.CompleteTime);
            var inside = Enumerable.Range(0, history.Count)
                .Where(i => history[i] is { Kind: OperationKind.Get, Outcome: OperationOutcome.Ok }
                    && history[i].InvokeTime > set.InvokeTime
                    && history[i].CompleteTime < set.CompleteTime)
                .ToArray();
            foreach (var first in inside)
            {
                foreach (var second in inside)
                {
                    if (before?.Value is { } old && history[first].CompleteTime < history[second].InvokeTime)
                    {
                        var corrupted = new List<HistoryOperation>(history);
                        corrupted[first] = history[first] with { Result = OperationResult.Value(set.Value) };
                        corrupted[second] = history[second] with { Result = OperationResult.Bulk(old) };
                        return corrupted;
                    }
                }
            }
        }

        return null;
    }

    private static HistoryOperation NextOperation(Random random, int client, long invoke, long complete, string? state, List<string> written)
    {
        var operation = new HistoryOperation
        {
            ClientId = client,
            Key = Key,
            Kind = OperationKind.Get,
            InvokeTime = invoke,
            CompleteTime = complete,
            Outcome = OperationOutcome.Ok,
        };
        var value = "v" + written.Count.ToString(CultureInfo.InvariantCulture);
        return random.Next(100) switch
        {
            < 35 => operation,
            < 55 => operation with { Kind = OperationKind.Set, Value = value },
            < 65 => operation with { Kind = OperationKind.SetNx, Value = value },
            < 80 => operation with { Kind = OperationKind.Del },
            _ => operation with
            {
                Kind = OperationKind.SetIfEq,
                Value = value,

                // Mostly the current value, so compare-and-set chains succeed; sometimes a stale one.
                Expected = state is not null && random.Next(10) < 7 ? state
                    : written.Count > 0 ? written[random.Next(written.Count)]
                    : "none",
            },
        };
    }

    private static (OperationResult Result, string? State) Apply(HistoryOperation operation, string? state) => operation.Kind switch
    {
        OperationKind.Set => (OperationResult.Ok, operation.Value),
        OperationKind.SetNx => state is null ? (OperationResult.Ok, operation.Value) : (OperationResult.Nil, state),
        OperationKind.Get => (OperationResult.Value(state), state),
        OperationKind.Del => state is null ? (OperationResult.Integer(0), null) : (OperationResult.Integer(1), null),
        _ => state == operation.Expected ? (OperationResult.Ok, operation.Value) : (OperationResult.Nil, state),
    };
}

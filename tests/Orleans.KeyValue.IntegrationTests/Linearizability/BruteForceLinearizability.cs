using System.Globalization;
using Orleans.KeyValue.Testing.Linearizability;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>
/// An oracle for tiny one-key histories: tries every order of every subset of the unknown
/// operations with all replied ones, straight from the definition, sharing no code with the checker.
/// Also makes such histories at random, linearizable or not.
/// </summary>
internal static class BruteForceLinearizability
{
    private static readonly string[] Values = ["a", "b"];

    public static bool IsLinearizable(IReadOnlyList<HistoryOperation> history)
    {
        var operations = history.Where(o => o.Outcome != OperationOutcome.Failed).ToArray();
        var unknown = operations.Where(o => o.Outcome == OperationOutcome.Unknown).ToArray();
        var replied = operations.Where(o => o.Outcome == OperationOutcome.Ok).ToArray();
        for (var subset = 0; subset < 1 << unknown.Length; subset++)
        {
            var chosen = replied.Concat(unknown.Where((_, i) => (subset & (1 << i)) != 0)).ToList();
            if (TryOrder(chosen, state: null))
            {
                return true;
            }
        }

        return false;
    }

    public static List<HistoryOperation> Generate(Random random, int count)
    {
        var history = new List<HistoryOperation>();
        for (var i = 0; i < count; i++)
        {
            var invoke = random.Next(10);
            var operation = new HistoryOperation
            {
                ClientId = i,
                Key = "k",
                Kind = (OperationKind)random.Next(5),
                InvokeTime = invoke,
                CompleteTime = invoke + random.Next(6),
                Outcome = OperationOutcome.Ok,
            };
            var value = Values[random.Next(Values.Length)];
            operation = operation.Kind switch
            {
                OperationKind.Set => operation with { Value = value, Result = random.Next(20) == 0 ? OperationResult.Nil : OperationResult.Ok },
                OperationKind.SetNx => operation with { Value = value, Result = random.Next(2) == 0 ? OperationResult.Ok : OperationResult.Nil },
                OperationKind.Get => operation with { Result = OperationResult.Value(random.Next(3) == 0 ? null : Values[random.Next(Values.Length)]) },
                OperationKind.Del => operation with { Result = OperationResult.Integer(random.Next(2)) },
                _ => operation with
                {
                    Value = value,
                    Expected = Values[random.Next(Values.Length)],
                    Result = random.Next(2) == 0 ? OperationResult.Ok : OperationResult.Nil,
                },
            };
            operation = random.Next(10) switch
            {
                0 => operation with { Outcome = OperationOutcome.Unknown, Result = default, CompleteTime = long.MaxValue },
                1 => operation with { Outcome = OperationOutcome.Failed, Result = default },
                _ => operation,
            };
            history.Add(operation);
        }

        return history;
    }

    public static string Show(IEnumerable<HistoryOperation> history) =>
        string.Join("\n", history.Select((o, i) => string.Create(CultureInfo.InvariantCulture, $"  #{i} {o}")));

    // Some operation that nothing left must precede goes next, and must give its reply.
    private static bool TryOrder(List<HistoryOperation> left, string? state)
    {
        if (left.Count == 0)
        {
            return true;
        }

        foreach (var next in left)
        {
            if (left.Any(o => o.Outcome == OperationOutcome.Ok && o.CompleteTime < next.InvokeTime))
            {
                continue;
            }

            var (reply, after) = Run(next, state);
            if (next.Outcome == OperationOutcome.Ok && reply != next.Result)
            {
                continue;
            }

            var rest = new List<HistoryOperation>(left);
            rest.Remove(next);
            if (TryOrder(rest, after))
            {
                return true;
            }
        }

        return false;
    }

    private static (OperationResult Reply, string? State) Run(HistoryOperation operation, string? state) => operation.Kind switch
    {
        OperationKind.Set => (OperationResult.Ok, operation.Value),
        OperationKind.SetNx => state is null ? (OperationResult.Ok, operation.Value) : (OperationResult.Nil, state),
        OperationKind.Get => (OperationResult.Value(state), state),
        OperationKind.Del => state is null ? (OperationResult.Integer(0), null) : (OperationResult.Integer(1), null),
        _ => state is not null && state == operation.Expected ? (OperationResult.Ok, operation.Value) : (OperationResult.Nil, state),
    };
}

using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// One operation a client ran on one key: what it sent, when (invocation and completion
/// timestamps on one monotonic clock), and what came back.
/// </summary>
public sealed record HistoryOperation
{
    /// <summary>The client (connection) that ran the operation; for messages only.</summary>
    public required int ClientId { get; init; }

    /// <summary>The key; the checker checks each key on its own.</summary>
    public required string Key { get; init; }

    /// <summary>The command.</summary>
    public required OperationKind Kind { get; init; }

    /// <summary>The value written by <see cref="OperationKind.Set"/>, <see cref="OperationKind.SetNx"/> and <see cref="OperationKind.SetIfEq"/>.</summary>
    public string? Value { get; init; }

    /// <summary>The value <see cref="OperationKind.SetIfEq"/> compares with.</summary>
    public string? Expected { get; init; }

    /// <summary>Taken before the request was sent.</summary>
    public required long InvokeTime { get; init; }

    /// <summary>Taken after the reply was received; ignored unless <see cref="Outcome"/> is <see cref="OperationOutcome.Ok"/>.</summary>
    public long CompleteTime { get; init; } = long.MaxValue;

    /// <summary>Whether the reply came, and if not, whether the operation can have taken effect.</summary>
    public required OperationOutcome Outcome { get; init; }

    /// <summary>The reply, when <see cref="Outcome"/> is <see cref="OperationOutcome.Ok"/>.</summary>
    public OperationResult Result { get; init; }

    /// <summary>For example <c>client 3: SET "b" IFEQ "a" -> OK @ [120, 250]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"client {ClientId}: ");
        text.Append(Kind switch
        {
            OperationKind.Set => "SET " + OperationResult.Quote(Value),
            OperationKind.SetNx => "SET " + OperationResult.Quote(Value) + " NX",
            OperationKind.Get => "GET",
            OperationKind.Del => "DEL",
            OperationKind.SetIfEq => "SET " + OperationResult.Quote(Value) + " IFEQ " + OperationResult.Quote(Expected),
            _ => Kind.ToString(),
        });
        switch (Outcome)
        {
            case OperationOutcome.Ok:
                text.Append(CultureInfo.InvariantCulture, $" -> {Result} @ [{InvokeTime}, {CompleteTime}]");
                break;
            case OperationOutcome.Failed:
                text.Append(CultureInfo.InvariantCulture, $" -> failed @ [{InvokeTime}, {CompleteTime}]");
                break;
            default:
                text.Append(CultureInfo.InvariantCulture, $" -> unknown @ [{InvokeTime}, inf)");
                break;
        }

        return text.ToString();
    }
}

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// Records the operations of concurrent test clients for <see cref="LinearizabilityChecker"/>.
/// Call <see cref="Invoke"/> just before sending a request and one of <see cref="Complete"/>,
/// <see cref="Fail"/> or <see cref="Unknown"/> just after its reply (or its loss): the interval
/// between the two timestamps must contain the moment the server acted. Thread-safe.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly Lock _lock = new();
    private readonly List<HistoryOperation> _operations = [];
    private readonly List<bool> _finished = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>
    /// Timestamps come from <paramref name="timeProvider"/>'s <see cref="TimeProvider.GetTimestamp"/>
    /// (<see cref="TimeProvider.System"/> by default: <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>,
    /// one monotonic clock for every thread, which is what makes intervals of different clients comparable).
    /// </summary>
    public HistoryRecorder(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Every operation so far, in invocation order. Operations not yet completed are
    /// <see cref="OperationOutcome.Unknown"/>: a client that stopped waiting cannot know whether they ran.
    /// </summary>
    public IReadOnlyList<HistoryOperation> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _operations];
            }
        }
    }

    /// <summary>Records the invocation of an operation; call it before sending the request.</summary>
    /// <param name="clientId">The client (connection) sending it.</param>
    /// <param name="key">The key.</param>
    /// <param name="kind">The command.</param>
    /// <param name="value">The value written by SET, SET NX and SET IFEQ.</param>
    /// <param name="expected">The value SET IFEQ compares with.</param>
    public InvokedOperation Invoke(int clientId, string key, OperationKind kind, string? value = null, string? expected = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var operation = new HistoryOperation
        {
            ClientId = clientId,
            Key = key,
            Kind = kind,
            Value = value,
            Expected = expected,
            InvokeTime = 0,
            Outcome = OperationOutcome.Unknown,
        };
        LinearizabilityChecker.Validate(operation);

        // Read the clock last: the interval must start before the request leaves, not before our bookkeeping.
        lock (_lock)
        {
            _operations.Add(operation with { InvokeTime = _timeProvider.GetTimestamp() });
            _finished.Add(false);
            return new InvokedOperation(this, _operations.Count - 1);
        }
    }

    /// <summary>Records the reply to <paramref name="operation"/>; call it as soon as the reply is read.</summary>
    public void Complete(InvokedOperation operation, OperationResult result)
    {
        var now = _timeProvider.GetTimestamp();
        if (result.Kind == OperationResultKind.None)
        {
            throw new ArgumentException("A completed operation needs a reply.", nameof(result));
        }

        Finish(operation, previous => previous with { Outcome = OperationOutcome.Ok, Result = result, CompleteTime = now });
    }

    /// <summary>Records that <paramref name="operation"/> certainly did not take effect (an error reply before it ran).</summary>
    public void Fail(InvokedOperation operation)
    {
        var now = _timeProvider.GetTimestamp();
        Finish(operation, previous => previous with { Outcome = OperationOutcome.Failed, CompleteTime = now });
    }

    /// <summary>Records that the outcome of <paramref name="operation"/> is unknown (timeout, connection lost).</summary>
    public void Unknown(InvokedOperation operation) =>
        Finish(operation, previous => previous with { Outcome = OperationOutcome.Unknown, CompleteTime = long.MaxValue });

    private void Finish(InvokedOperation operation, Func<HistoryOperation, HistoryOperation> finish)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Recorder != this)
        {
            throw new ArgumentException("The operation was invoked on another recorder.", nameof(operation));
        }

        lock (_lock)
        {
            if (_finished[operation.Index])
            {
                throw new InvalidOperationException("The operation already has an outcome: " + _operations[operation.Index]);
            }

            _finished[operation.Index] = true;
            _operations[operation.Index] = finish(_operations[operation.Index]);
        }
    }
}

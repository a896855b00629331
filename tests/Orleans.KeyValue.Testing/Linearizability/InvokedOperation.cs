namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// An operation recorded by <see cref="HistoryRecorder.Invoke"/> that awaits its outcome; hand it
/// back to <see cref="HistoryRecorder.Complete"/>, <see cref="HistoryRecorder.Fail"/> or
/// <see cref="HistoryRecorder.Unknown"/>.
/// </summary>
public sealed class InvokedOperation
{
    internal InvokedOperation(HistoryRecorder recorder, int index)
    {
        Recorder = recorder;
        Index = index;
    }

    internal HistoryRecorder Recorder { get; }

    /// <summary>The operation's place in <see cref="HistoryRecorder.History"/>.</summary>
    public int Index { get; }
}

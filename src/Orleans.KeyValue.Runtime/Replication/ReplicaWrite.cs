namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>One write on its way to its slot's backup, and what became of it.</summary>
internal sealed class ReplicaWrite(int slot, byte[] key, KeyRecord record)
{
    private readonly TaskCompletionSource<ReplicaOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Slot { get; } = slot;

    public byte[] Key { get; } = key;

    /// <summary>The key's new record, or its removal (<see cref="ValueKind.None"/>).</summary>
    public KeyRecord Record { get; } = record;

    public Task<ReplicaOutcome> Outcome => _outcome.Task;

    public void Complete(ReplicaOutcome outcome) => _outcome.TrySetResult(outcome);
}

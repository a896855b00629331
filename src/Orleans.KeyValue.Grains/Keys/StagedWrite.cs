namespace Orleans.KeyValue.Grains.Keys;

/// <summary>A write made without an activation, kept aside while its backup stores it; it holds the key's turn until it ends.</summary>
public sealed class StagedWrite
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal StagedWrite(KeyOperations operations, KeyRecord record)
    {
        Operations = operations;
        Record = record;
    }

    /// <summary>The key.</summary>
    public byte[] Key => Operations.Key;

    /// <summary>The record the write leaves (<see cref="ValueKind.None"/> when it removed the key).</summary>
    public KeyRecord Record { get; }

    /// <summary>Completes when the write was stored or dropped.</summary>
    public Task Done => _done.Task;

    internal KeyOperations Operations { get; }

    internal void Complete() => _done.TrySetResult();
}

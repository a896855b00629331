namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>A connection's MULTI in progress: the commands queued, whether one was refused, and the one slot their keys are in (-1 before any key).</summary>
internal sealed class Transaction
{
    public List<byte[][]> Queued { get; } = [];

    public bool Failed { get; set; }

    public int Slot { get; set; } = -1;
}

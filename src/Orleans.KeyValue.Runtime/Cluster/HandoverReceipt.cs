namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>What a silo does with one slot of a hand-over it receives (<see cref="SlotTable.BeginReceive"/>).</summary>
public enum HandoverReceipt
{
    /// <summary>Install the slot's keys: the slot is not served here yet.</summary>
    Accept,

    /// <summary>Drop them: the slot is served here already, with newer keys.</summary>
    Ignore,

    /// <summary>Send them back: this silo is handing the slot on itself (it is leaving, or lost it).</summary>
    Refuse,
}

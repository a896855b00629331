namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>What the checker concluded about one key's history.</summary>
public enum LinearizabilityVerdict
{
    /// <summary>Some order of the operations, consistent with real time, explains every reply.</summary>
    Linearizable,

    /// <summary>No such order exists: the store broke linearizability on this key.</summary>
    NotLinearizable,

    /// <summary>The search ran out of its time budget before it could decide.</summary>
    TimedOut,
}

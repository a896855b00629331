namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>What the client learned about an operation it sent.</summary>
public enum OperationOutcome
{
    /// <summary>The server replied; the reply is the operation's result.</summary>
    Ok,

    /// <summary>
    /// The operation certainly did not take effect (the server replied an error before running it).
    /// The checker drops it.
    /// </summary>
    Failed,

    /// <summary>
    /// No reply (timeout, connection lost): the operation may have taken effect at any moment after
    /// its invocation, or never. Its completion is unbounded and its result unconstrained.
    /// </summary>
    Unknown,
}

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>The shape of a reply, as RESP distinguishes it.</summary>
public enum OperationResultKind
{
    /// <summary>No reply: the operation failed or its outcome is unknown.</summary>
    None,

    /// <summary>The simple string <c>OK</c>.</summary>
    Ok,

    /// <summary>A nil (null bulk string or RESP3 null).</summary>
    Nil,

    /// <summary>A bulk string: <see cref="OperationResult.Text"/>.</summary>
    Bulk,

    /// <summary>An integer: <see cref="OperationResult.Number"/>.</summary>
    Integer,
}

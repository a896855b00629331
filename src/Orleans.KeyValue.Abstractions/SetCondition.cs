namespace Orleans.KeyValue;

/// <summary>The condition of a SET: none, <c>NX</c> or <c>XX</c>.</summary>
public enum SetCondition : byte
{
    /// <summary>Always set.</summary>
    Always,
    /// <summary><c>NX</c>: only when the key does not exist.</summary>
    IfNotExists,
    /// <summary><c>XX</c>: only when the key exists.</summary>
    IfExists,
}

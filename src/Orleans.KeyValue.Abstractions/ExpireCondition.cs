namespace Orleans.KeyValue;

/// <summary>The condition of EXPIRE and its relatives.</summary>
[GenerateSerializer]
[Alias("kv.ExpireCondition")]
public enum ExpireCondition : byte
{
    /// <summary>Always apply.</summary>
    Always,
    /// <summary><c>NX</c>: only when the key has no deadline.</summary>
    IfNoDeadline,
    /// <summary><c>XX</c>: only when the key has a deadline.</summary>
    IfHasDeadline,
    /// <summary><c>GT</c>: only when the new deadline is later (no deadline counts as infinite).</summary>
    IfGreater,
    /// <summary><c>LT</c>: only when the new deadline is earlier (no deadline counts as infinite).</summary>
    IfLess,

    /// <summary><c>XX LT</c>: the key has a deadline and the new one is earlier.</summary>
    IfHasDeadlineAndLess,
}

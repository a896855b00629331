namespace Orleans.KeyValue;

/// <summary>
/// The existence condition of a SET: none, <c>NX</c> or <c>XX</c>. The value conditions of Redis
/// 8.4 (<c>IFEQ</c>, <c>IFNE</c>, <c>IFDEQ</c>, <c>IFDNE</c>) are a <see cref="ValueCondition"/>
/// beside it: Redis 8.4's parser refuses <c>NX</c>/<c>XX</c> before an IF option but accepts one
/// after it, and then both must hold.
/// </summary>
[GenerateSerializer]
[Alias("kv.SetCondition")]
public enum SetCondition : byte
{
    /// <summary>Always set.</summary>
    Always,
    /// <summary><c>NX</c>: only when the key does not exist.</summary>
    IfNotExists,
    /// <summary><c>XX</c>: only when the key exists.</summary>
    IfExists,
}

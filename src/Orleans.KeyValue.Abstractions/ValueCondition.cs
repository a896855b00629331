namespace Orleans.KeyValue;

/// <summary>
/// Redis 8.4's value conditions of <c>SET</c> and <c>DELEX</c>: compare the current string value,
/// or its XXH3 digest (16 hex digits, compared without regard to case), with a given one.
/// </summary>
[GenerateSerializer]
[Alias("kv.ValueCondition")]
public enum ValueCondition : byte
{
    /// <summary>No value condition.</summary>
    None,
    /// <summary><c>IFEQ value</c>: only when the value equals it (a missing key never does).</summary>
    IfEqual,
    /// <summary><c>IFNE value</c>: only when the value differs (a missing key does).</summary>
    IfNotEqual,
    /// <summary><c>IFDEQ digest</c>: only when the value's digest equals it (a missing key never does).</summary>
    IfDigestEqual,
    /// <summary><c>IFDNE digest</c>: only when the value's digest differs (a missing key does).</summary>
    IfDigestNotEqual,
}

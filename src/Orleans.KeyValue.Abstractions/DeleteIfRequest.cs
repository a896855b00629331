namespace Orleans.KeyValue;

/// <summary>
/// A DELEX (Redis 8.4). Redis finds the key before it looks at the condition, so a condition it
/// does not know arrives as <paramref name="Error"/> and is answered only when the key exists and
/// holds a string; a missing key is 0 whatever the condition.
/// </summary>
/// <param name="Condition">The value condition; <see cref="ValueCondition.None"/> with no error is a plain delete of any type.</param>
/// <param name="Match">The value or digest the condition compares with; owned by the request.</param>
/// <param name="Error">The error to answer instead when the key holds a string; null when the condition is valid.</param>
[GenerateSerializer, Immutable]
[Alias("kv.DeleteIfRequest")]
public readonly record struct DeleteIfRequest(
    [property: Id(0)] ValueCondition Condition,
    [property: Id(1)] byte[]? Match,
    [property: Id(2)] string? Error);

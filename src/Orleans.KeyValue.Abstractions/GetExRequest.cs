namespace Orleans.KeyValue;

/// <summary>
/// A GETEX. Redis checks the expire value only after finding the key, so a bad value arrives
/// here as <paramref name="Error"/> and is answered only when the key exists and is a string.
/// </summary>
/// <param name="Expiry">Keep (no option), Persist, or At.</param>
/// <param name="DeadlineMs">The absolute deadline for <see cref="ExpiryMode.At"/>.</param>
/// <param name="Error">The error to answer instead, when the key exists; null when valid.</param>
[GenerateSerializer, Immutable]
[Alias("kv.GetExRequest")]
public readonly record struct GetExRequest(
    [property: Id(0)] ExpiryMode Expiry,
    [property: Id(1)] long DeadlineMs,
    [property: Id(2)] string? Error);

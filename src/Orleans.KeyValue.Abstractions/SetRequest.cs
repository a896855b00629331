namespace Orleans.KeyValue;

/// <summary>
/// A fully validated SET: the value, its conditions, what happens to the deadline, and GET. The
/// grain checks the conditions and writes in one turn, so a compare-and-set is atomic.
/// </summary>
/// <param name="Value">The new value; owned by the request.</param>
/// <param name="Condition">NX, XX or none.</param>
/// <param name="Expiry">What happens to the deadline.</param>
/// <param name="DeadlineMs">The absolute deadline when <paramref name="Expiry"/> is <see cref="ExpiryMode.At"/>.</param>
/// <param name="ReturnOld">The GET option: reply with the old value.</param>
/// <param name="Compare">IFEQ, IFNE, IFDEQ, IFDNE or none.</param>
/// <param name="Match">The value or digest <paramref name="Compare"/> compares with; owned by the request.
/// A digest is checked (16 characters) only when the key holds a string, as Redis does.</param>
[GenerateSerializer, Immutable]
[Alias("kv.SetRequest")]
public readonly record struct SetRequest(
    [property: Id(0)] byte[] Value,
    [property: Id(1)] SetCondition Condition,
    [property: Id(2)] ExpiryMode Expiry,
    [property: Id(3)] long DeadlineMs,
    [property: Id(4)] bool ReturnOld,
    [property: Id(5)] ValueCondition Compare = ValueCondition.None,
    [property: Id(6)] byte[]? Match = null);

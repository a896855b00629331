namespace Orleans.KeyValue;

/// <summary>A fully validated SET: the value, its condition, what happens to the deadline, and GET.</summary>
/// <param name="Value">The new value; owned by the request.</param>
/// <param name="Condition">NX, XX or none.</param>
/// <param name="Expiry">What happens to the deadline.</param>
/// <param name="DeadlineMs">The absolute deadline when <paramref name="Expiry"/> is <see cref="ExpiryMode.At"/>.</param>
/// <param name="ReturnOld">The GET option: reply with the old value.</param>
public readonly record struct SetRequest(byte[] Value, SetCondition Condition, ExpiryMode Expiry, long DeadlineMs, bool ReturnOld);

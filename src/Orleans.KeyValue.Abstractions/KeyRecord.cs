namespace Orleans.KeyValue;

/// <summary>
/// The state of one key grain: value, type tag and absolute deadline. Immutable, so a reader
/// outside the grain's turn (SCAN, the dashboard) never sees a torn write.
/// </summary>
/// <param name="Value">The value bytes; never changed after the record is made.</param>
/// <param name="Kind">The type tag.</param>
/// <param name="DeadlineMs">Absolute deadline in Unix milliseconds, or <see cref="NoDeadline"/>.</param>
public readonly record struct KeyRecord(byte[] Value, ValueKind Kind, long DeadlineMs)
{
    /// <summary>The deadline of a key that does not expire.</summary>
    public const long NoDeadline = -1;

    /// <summary>
    /// The low 32 bits of the deadline of the key's tracked timing-wheel entry (the one entry
    /// that reschedules when it fires; others left by earlier writes are stale and fire for
    /// nothing), or 0 when unknown (then any entry that fires counts as the tracked one). It
    /// shares the padding after <see cref="Kind"/>, so it costs no memory; the key grain keeps it.
    /// </summary>
    public int WheelTag { get; init; }

    /// <summary>True when the record holds a key.</summary>
    public bool Exists => Kind != ValueKind.None;

    /// <summary>True when the key has a deadline.</summary>
    public bool HasDeadline => DeadlineMs != NoDeadline;

    /// <summary>Redis's rule: a key is expired once the clock is past its deadline.</summary>
    public bool IsExpiredAt(long nowMs) => DeadlineMs != NoDeadline && nowMs > DeadlineMs;
}

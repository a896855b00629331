namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// What a write does to a key's deadline: <see cref="Never"/> (a plain SET clears it),
/// <see cref="Keep"/> (<c>KEEPTTL</c>), <see cref="In"/> (<c>PX</c>) or <see cref="AtTime"/> (<c>PXAT</c>).
/// </summary>
public readonly record struct KeyExpiry
{
    private KeyExpiry(bool keep, TimeSpan? ttl, DateTimeOffset? deadline)
    {
        IsKeep = keep;
        Ttl = ttl;
        Deadline = deadline;
    }

    /// <summary>The key never expires: the write removes any earlier deadline.</summary>
    public static KeyExpiry Never => default;

    /// <summary>Keep the key's current deadline (<c>KEEPTTL</c>).</summary>
    public static KeyExpiry Keep => new(keep: true, null, null);

    /// <summary>True for <see cref="Keep"/>.</summary>
    public bool IsKeep { get; }

    /// <summary>The time to live of <see cref="In"/>, else null.</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>The deadline of <see cref="AtTime"/>, else null.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>
    /// Expire <paramref name="ttl"/> from now (<c>PX</c>, rounded up to a whole millisecond). The
    /// client turns it into a deadline on its own clock when it sends the write, as the RESP
    /// gateway turns <c>PX</c> into one on the clock of the silo that received the command: the
    /// machines' clocks must agree (NTP).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive (Redis refuses it too).</exception>
    public static KeyExpiry In(TimeSpan ttl) =>
        ttl > TimeSpan.Zero ? new(keep: false, ttl, null) : throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A time to live must be positive.");

    /// <summary>Expire at <paramref name="deadline"/> (<c>PXAT</c>); a deadline already past deletes the key at once.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deadline"/> is not after the Unix epoch (Redis refuses it too).</exception>
    public static KeyExpiry AtTime(DateTimeOffset deadline) =>
        deadline.ToUnixTimeMilliseconds() > 0 ? new(keep: false, null, deadline) : throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "A deadline must be after the Unix epoch.");

    /// <summary>The request's expiry mode and absolute deadline, with <paramref name="nowMs"/> the client's clock.</summary>
    internal (ExpiryMode Mode, long DeadlineMs) ToRequest(long nowMs) =>
        IsKeep ? (ExpiryMode.Keep, 0)
        : Ttl is { } ttl ? (ExpiryMode.At, nowMs + (long)Math.Ceiling(ttl.TotalMilliseconds))
        : Deadline is { } deadline ? (ExpiryMode.At, deadline.ToUnixTimeMilliseconds())
        : (ExpiryMode.Clear, 0);
}

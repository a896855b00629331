namespace Orleans.KeyValue.Client;

/// <summary>What a write does to a key's time to live.</summary>
public readonly record struct Expiry
{
    private Expiry(ExpiryKind kind, TimeSpan after, DateTimeOffset at)
    {
        Kind = kind;
        After = after;
        At = at;
    }

    /// <summary>The key never expires (a plain SET removes any earlier deadline).</summary>
    public static Expiry Never => default;

    /// <summary>Keep the key's current deadline (<c>KEEPTTL</c>).</summary>
    public static Expiry Keep => new(ExpiryKind.Keep, default, default);

    public ExpiryKind Kind { get; }

    public TimeSpan After { get; }

    public DateTimeOffset At { get; }

    /// <summary>Expire <paramref name="ttl"/> from now (<c>PX</c>).</summary>
    public static Expiry In(TimeSpan ttl) =>
        ttl > TimeSpan.Zero ? new(ExpiryKind.After, ttl, default) : throw new ArgumentOutOfRangeException(nameof(ttl), "A time to live must be positive.");

    /// <summary>Expire at <paramref name="deadline"/> (<c>PXAT</c>).</summary>
    public static Expiry AtTime(DateTimeOffset deadline) => new(ExpiryKind.At, default, deadline);

    /// <summary>The SET arguments for this expiry.</summary>
    internal void AppendTo(List<object> arguments)
    {
        switch (Kind)
        {
            case ExpiryKind.After:
                arguments.Add("PX");
                arguments.Add((long)Math.Ceiling(After.TotalMilliseconds));
                break;
            case ExpiryKind.At:
                arguments.Add("PXAT");
                arguments.Add(At.ToUnixTimeMilliseconds());
                break;
            case ExpiryKind.Keep:
                arguments.Add("KEEPTTL");
                break;
        }
    }
}

/// <summary>The kinds of <see cref="Expiry"/>.</summary>
public enum ExpiryKind
{
    /// <summary>No deadline.</summary>
    Never,

    /// <summary>Keep the current deadline.</summary>
    Keep,

    /// <summary>A time to live from now.</summary>
    After,

    /// <summary>An absolute deadline.</summary>
    At,
}

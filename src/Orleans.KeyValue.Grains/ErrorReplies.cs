namespace Orleans.KeyValue.Grains;

/// <summary>Redis's error texts that grains answer with (one place, as STYLE.md asks).</summary>
public static class ErrorReplies
{
    /// <summary>An operation on a key of another type.</summary>
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /// <summary>Shared reply for <see cref="WrongType"/>.</summary>
    public static KvReply WrongTypeReply { get; } = KvReply.FromError(WrongType);
}

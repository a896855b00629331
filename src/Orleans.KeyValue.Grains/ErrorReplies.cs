namespace Orleans.KeyValue.Grains;

/// <summary>Redis's error texts that grains answer with (one place, as STYLE.md asks).</summary>
public static class ErrorReplies
{
    /// <summary>An operation on a key of another type.</summary>
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /// <summary>DELEX with a condition on a key that is not a string (Redis 8.4's text; not WRONGTYPE).</summary>
    public const string KeyNotStringForCondition = "ERR Key should be of string type if conditions are specified";

    /// <summary>An IFDEQ/IFDNE digest of another length than 16 (Redis 8.4's validateHexDigest).</summary>
    public const string DigestLength = "ERR must be exactly 16 hexadecimal characters";

    /// <summary>A script sent to a key grain on a silo that serves no scripts (a silo always does; a bare grain host may not).</summary>
    public const string ScriptsNotServed = "ERR scripts are not served here";

    /// <summary>A key grain called on a silo that does not serve its slot (it moved or is moving): retry.</summary>
    public const string TryAgain = "TRYAGAIN The silo that owns this key cannot be reached right now or its slot is moving; retry";

    /// <summary>
    /// A write whose slot's backup could not be reached and never got it (Redis's text for too few
    /// replicas): nothing was applied.
    /// </summary>
    public const string NoReplicas = "NOREPLICAS Not enough good replicas to write.";

    /// <summary>A write whose backup did not answer in time: it may or may not have been applied, as after any timeout.</summary>
    public const string BackupTimeout = "NOREPLICAS The backup silo did not confirm the write in time; it may or may not have been applied";

    public const string Syntax = "ERR syntax error";

    /// <summary>A value or argument that is not a 64-bit integer (Redis's string2ll).</summary>
    public const string NotInteger = "ERR value is not an integer or out of range";

    /// <summary>A value or argument that is not a float (Redis's string2ld).</summary>
    public const string NotFloat = "ERR value is not a valid float";

    /// <summary>HINCRBY on a field whose value is not an integer.</summary>
    public const string HashNotInteger = "ERR hash value is not an integer";

    /// <summary>HINCRBYFLOAT on a field whose value is not a float.</summary>
    public const string HashNotFloat = "ERR hash value is not a float";

    /// <summary>INCR and its relatives past the 64-bit range.</summary>
    public const string IncrementOverflow = "ERR increment or decrement would overflow";

    /// <summary>INCRBYFLOAT whose result is not finite.</summary>
    public const string NaNOrInfinity = "ERR increment would produce NaN or Infinity";

    /// <summary>APPEND or SETRANGE past proto-max-bulk-len (Redis 7.0's checkStringLength).</summary>
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

    /// <summary>SETRANGE with a negative offset.</summary>
    public const string OffsetOutOfRange = "ERR offset is out of range";

    /// <summary>Shared reply for <see cref="WrongType"/>.</summary>
    public static KvReply WrongTypeReply { get; } = KvReply.FromError(WrongType);

    /// <summary>Shared reply for <see cref="KeyNotStringForCondition"/>.</summary>
    public static KvReply KeyNotStringForConditionReply { get; } = KvReply.FromError(KeyNotStringForCondition);

    public static KvReply NotIntegerReply { get; } = KvReply.FromError(NotInteger);

    public static KvReply NotFloatReply { get; } = KvReply.FromError(NotFloat);

    public static KvReply HashNotIntegerReply { get; } = KvReply.FromError(HashNotInteger);

    public static KvReply HashNotFloatReply { get; } = KvReply.FromError(HashNotFloat);

    public static KvReply IncrementOverflowReply { get; } = KvReply.FromError(IncrementOverflow);

    public static KvReply NaNOrInfinityReply { get; } = KvReply.FromError(NaNOrInfinity);

    public static KvReply StringTooLongReply { get; } = KvReply.FromError(StringTooLong);

    public static KvReply OffsetOutOfRangeReply { get; } = KvReply.FromError(OffsetOutOfRange);

    /// <summary>Shared reply for <see cref="DigestLength"/>.</summary>
    public static KvReply DigestLengthReply { get; } = KvReply.FromError(DigestLength);
}

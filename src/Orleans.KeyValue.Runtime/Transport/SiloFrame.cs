namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// A silo-to-silo frame: <c>int32 length | byte kind | byte type | int64 correlation id | payload</c>,
/// length counting everything after itself, little-endian.
/// </summary>
internal static class SiloFrame
{
    /// <summary>Bytes before the payload, the length field included.</summary>
    public const int HeaderLength = 14;

    /// <summary>A request that wants a response.</summary>
    public const byte Request = 1;

    /// <summary>A response with the handler's bytes.</summary>
    public const byte Response = 2;

    /// <summary>A response saying the handler failed; the payload is the message text.</summary>
    public const byte Fault = 3;
}

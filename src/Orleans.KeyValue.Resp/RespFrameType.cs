namespace Orleans.KeyValue.Resp;

/// <summary>The type of one RESP2 or RESP3 reply frame, by its first byte.</summary>
public enum RespFrameType
{
    /// <summary><c>+</c> a status line.</summary>
    SimpleString,
    /// <summary><c>-</c> an error line.</summary>
    Error,
    /// <summary><c>:</c> a 64-bit integer.</summary>
    Integer,
    /// <summary><c>$</c> a length-prefixed binary string.</summary>
    BulkString,
    /// <summary><c>*</c> an array.</summary>
    Array,
    /// <summary>RESP2 <c>$-1</c> and <c>*-1</c>, RESP3 <c>_</c>.</summary>
    Null,
    /// <summary><c>,</c> a RESP3 double.</summary>
    Double,
    /// <summary><c>#</c> a RESP3 boolean.</summary>
    Boolean,
    /// <summary><c>!</c> a RESP3 length-prefixed error.</summary>
    BlobError,
    /// <summary><c>=</c> a RESP3 verbatim string (<c>txt:</c> or <c>mkd:</c> then the text).</summary>
    VerbatimString,
    /// <summary><c>(</c> a RESP3 big number.</summary>
    BigNumber,
    /// <summary><c>%</c> a RESP3 map.</summary>
    Map,
    /// <summary><c>~</c> a RESP3 set.</summary>
    Set,
    /// <summary><c>|</c> RESP3 attributes: auxiliary data about the reply that follows.</summary>
    Attribute,
    /// <summary><c>&gt;</c> a RESP3 out-of-band push.</summary>
    Push,
}

namespace Orleans.KeyValue;

/// <summary>The shape of a reply, independent of the wire protocol version.</summary>
[GenerateSerializer]
[Alias("kv.KvReplyKind")]
public enum KvReplyKind : byte
{
    /// <summary>A missing value: RESP2 <c>$-1</c>, RESP3 <c>_</c>.</summary>
    Nil,
    /// <summary>A missing array: RESP2 <c>*-1</c>, RESP3 <c>_</c>.</summary>
    NilArray,
    /// <summary>The status reply <c>+OK</c>.</summary>
    Ok,
    /// <summary>A status reply with other text.</summary>
    Status,
    /// <summary>An error reply; the text starts with its code (<c>ERR</c>, <c>WRONGTYPE</c>, ...).</summary>
    Error,
    /// <summary>A signed 64-bit integer.</summary>
    Integer,
    /// <summary>A binary-safe bulk string.</summary>
    Bulk,
    /// <summary>An array of replies.</summary>
    Array,
    /// <summary>A RESP3 map (RESP2: a flat array of keys and values).</summary>
    Map,
    /// <summary>A RESP3 set (RESP2: an array).</summary>
    Set,
    /// <summary>Text meant for people (INFO): RESP3 verbatim <c>txt</c>, RESP2 a bulk string.</summary>
    Verbatim,
    /// <summary>Two-element arrays (HRANDFIELD WITHVALUES): RESP3 an array of them, RESP2 one flat array.</summary>
    Pairs,
}

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// The store answered with an error reply; the message is Redis's text, as a RESP client would
/// read it (<c>WRONGTYPE Operation against a key holding the wrong kind of value</c>).
/// </summary>
public sealed class KeyValueReplyException : Exception
{
    public KeyValueReplyException()
    {
    }

    public KeyValueReplyException(string message)
        : base(message)
    {
    }

    public KeyValueReplyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The error code: the first word of the reply (<c>ERR</c>, <c>WRONGTYPE</c>, ...).</summary>
    public string Code => Message.Split(' ', 2)[0];
}

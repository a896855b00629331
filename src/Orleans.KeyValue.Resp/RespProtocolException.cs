namespace Orleans.KeyValue.Resp;

/// <summary>The bytes read are not a well-formed RESP reply; the stream cannot be trusted past this point.</summary>
public sealed class RespProtocolException : Exception
{
    public RespProtocolException()
        : base("Malformed RESP reply.")
    {
    }

    public RespProtocolException(string message)
        : base(message)
    {
    }

    public RespProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

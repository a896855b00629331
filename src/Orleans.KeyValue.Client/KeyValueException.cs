namespace Orleans.KeyValue.Client;

/// <summary>The server answered with an error reply; <see cref="Exception.Message"/> is its text.</summary>
public class KeyValueException : Exception
{
    public KeyValueException()
    {
    }

    public KeyValueException(string message)
        : base(message)
    {
    }

    public KeyValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The error code: the first word of the reply (<c>ERR</c>, <c>WRONGTYPE</c>, <c>TRYAGAIN</c>, ...).</summary>
    public string Code => Message.Split(' ', 2)[0];

    /// <summary>True for errors a retry may cure (<c>TRYAGAIN</c>, <c>CLUSTERDOWN</c>).</summary>
    public bool IsRetryable => Code is "TRYAGAIN" or "CLUSTERDOWN" or "LOADING" or "BUSY";
}

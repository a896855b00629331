namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>A silo could not be reached, or did not answer in time. Retryable.</summary>
public sealed class SiloUnavailableException : Exception
{
    public SiloUnavailableException()
    {
    }

    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    public SiloUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

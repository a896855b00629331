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

    /// <summary>
    /// True when the request may have reached the silo (it was sent, the answer did not come):
    /// the silo may have acted on it, so a write must not be sent again blindly.
    /// </summary>
    public bool MayHaveArrived { get; init; }
}

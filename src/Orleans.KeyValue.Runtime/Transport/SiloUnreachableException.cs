namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>
/// A message to another silo failed to get an answer (the silo is gone, unreachable or too slow).
/// The message may or may not have been handled there: the caller decides whether a retry is safe.
/// </summary>
public sealed class SiloUnreachableException : Exception
{
    public SiloUnreachableException()
    {
    }

    public SiloUnreachableException(string message)
        : base(message)
    {
    }

    public SiloUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// False when Orleans refused the message before it was delivered (the target is known to be
    /// gone, or no connection could be made): it did not run there, and sending it elsewhere is
    /// safe. A request cancelled because its target became unavailable while it was pending
    /// (<see cref="SiloUnavailableException"/>, itself a rejection) may have run there before the
    /// silo died: resending it could run it twice.
    /// </summary>
    public bool MayHaveArrived => InnerException is not OrleansMessageRejectionException or SiloUnavailableException;
}

namespace Orleans.KeyValue.Testing;

/// <summary>
/// The server under test answered differently from <c>redis-server</c>, or the reference itself
/// answered differently from what a test states about Redis.
/// </summary>
public sealed class DifferentialMismatchException : Exception
{
    public DifferentialMismatchException()
    {
    }

    public DifferentialMismatchException(string message)
        : base(message)
    {
    }

    public DifferentialMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

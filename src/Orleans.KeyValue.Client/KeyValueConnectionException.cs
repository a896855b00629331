namespace Orleans.KeyValue.Client;

/// <summary>
/// No gateway could be reached, or the connection broke. <see cref="MayHaveRun"/> says whether
/// the command may have reached the server before the failure (then it was not resent).
/// </summary>
public sealed class KeyValueConnectionException : KeyValueException
{
    public KeyValueConnectionException()
    {
    }

    public KeyValueConnectionException(string message)
        : base(message)
    {
    }

    public KeyValueConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The command was written before the connection failed, so the server may have run it.</summary>
    public bool MayHaveRun { get; init; }
}

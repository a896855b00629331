namespace Orleans.KeyValue.Cli;

/// <summary>What <c>kv</c> returns, for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Done (the key was set, found, deleted; the lock was acquired or released).</summary>
    public const int Ok = 0;

    /// <summary>Not done: a condition failed, the key does not exist, the lock is held by someone else.</summary>
    public const int NotDone = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>The server answered with an error.</summary>
    public const int ServerError = 3;

    /// <summary>No gateway could be reached, or the connection broke.</summary>
    public const int ConnectionError = 4;
}

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// Retries the client's first connection <see cref="KeyValueOrleansClientOptions.ConnectAttempts"/>
/// times in all, waiting <see cref="KeyValueOrleansClientOptions.ConnectRetryDelay"/> between attempts.
/// </summary>
internal sealed class ConnectionRetryFilter(int attempts, TimeSpan delay, TimeProvider time) : IClientConnectionRetryFilter
{
    private int _failures;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _failures) >= attempts)
        {
            return false;
        }

        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

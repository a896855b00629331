using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// A client that keeps writing keys (with a deadline) through one gateway until stopped, and
/// remembers which writes the cluster acknowledged: those must survive any clean change.
/// </summary>
public sealed class ClusterLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly List<string> _acknowledged = [];
    private readonly List<string> _errors = [];
    private readonly List<long> _acknowledgedAt = [];

    private ClusterLoad(RawRespConnection client, string prefix, int limit)
    {
        _running = RunAsync(client, prefix, limit);
    }

    /// <summary>Deadline given to every key: far enough not to expire during a test.</summary>
    public const int TtlMs = 600_000;

    public IReadOnlyList<string> Acknowledged
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>
    /// The longest time between two acknowledgments after <paramref name="since"/> (a
    /// <see cref="Stopwatch"/> timestamp): how long the writes stalled, say while a failover ran.
    /// </summary>
    public TimeSpan LongestStallSince(long since)
    {
        lock (_acknowledged)
        {
            var longest = TimeSpan.Zero;
            var previous = since;
            foreach (var at in _acknowledgedAt.Where(t => t > since))
            {
                longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, Stopwatch.GetElapsedTime(previous, at).Ticks));
                previous = at;
            }

            return longest;
        }
    }

    /// <summary>Starts writing <c>prefix:N</c> keys through <paramref name="silo"/>, at most <paramref name="limit"/>.</summary>
    public static async Task<ClusterLoad> StartAsync(TestSilo silo, string prefix, int limit = 200_000) =>
        new(await TestCluster.ConnectAsync(silo), prefix, limit);

    /// <summary>Waits until at least <paramref name="count"/> writes were acknowledged.</summary>
    public async Task WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Acknowledged.Count < count)
        {
            if (DateTime.UtcNow > deadline || _running.IsCompleted)
            {
                throw new TimeoutException($"Only {Acknowledged.Count} writes acknowledged; errors: {string.Join("; ", Errors.Take(5))}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Stops writing.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(RawRespConnection client, string prefix, int limit)
    {
        await using var _ = client;
        await Task.Yield();
        for (var i = 0; i < limit && !_stop.IsCancellationRequested; i++)
        {
            var key = prefix + ":" + i.ToString(CultureInfo.InvariantCulture);
            var reply = Encoding.UTF8.GetString(await client.CommandAsync("SET", key, "v" + i.ToString(CultureInfo.InvariantCulture), "PX", TtlMs.ToString(CultureInfo.InvariantCulture)));
            lock (reply == RedisReply.Ok ? _acknowledged : _errors)
            {
                (reply == RedisReply.Ok ? _acknowledged : _errors).Add(reply == RedisReply.Ok ? key : reply.TrimEnd());
                if (reply == RedisReply.Ok)
                {
                    _acknowledgedAt.Add(Stopwatch.GetTimestamp());
                }
            }
        }
    }
}

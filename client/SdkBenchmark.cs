using System.Diagnostics;
using System.Globalization;
using Orleans.KeyValue.Client;

namespace Orleans.KeyValue.Cli;

/// <summary>SET/GET throughput of one SDK client shared by many concurrent callers (as redis-benchmark -c N -r 1000000).</summary>
internal static class SdkBenchmark
{
    public static async Task<double> RunAsync(KeyValueClient client, string test, int callers, int requests, CancellationToken cancellationToken)
    {
        var value = "xxx"u8.ToArray();
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                var key = "key:" + Random.Shared.Next(1_000_000).ToString("D12", CultureInfo.InvariantCulture);
                if (test == "SET")
                {
                    await client.SetAsync(key, value, cancellationToken: cancellationToken);
                }
                else
                {
                    await client.GetAsync(key, cancellationToken);
                }
            }
        }));
        return requests / clock.Elapsed.TotalSeconds;
    }
}

namespace Orleans.KeyValue.Gateway.Diagnostics;

/// <summary>
/// A command's latencies in fixed buckets (microseconds, roughly 1-2.5-5 steps): recording is
/// one comparison walk and one interlocked increment, cheap enough to run on every command.
/// Percentiles come from the difference of two snapshots (the dashboard) or from the totals
/// (Prometheus histograms).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds of the buckets in microseconds; one more bucket holds everything above.</summary>
    public static readonly long[] BoundsMicros =
        [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 5_000_000];

    private readonly long[] _counts = new long[BoundsMicros.Length + 1];
    private long _sumMicros;

    /// <summary>Counts one command that took <paramref name="micros"/>.</summary>
    public void Record(long micros)
    {
        var bounds = BoundsMicros;
        var i = 0;
        while (i < bounds.Length && micros > bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, micros);
    }

    /// <summary>Total recorded time in microseconds.</summary>
    public long SumMicros => Interlocked.Read(ref _sumMicros);

    /// <summary>The bucket counts now (not cumulative), one per bound plus the overflow bucket.</summary>
    public long[] Snapshot()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _counts[i]);
        }

        return copy;
    }

    /// <summary>
    /// The latency (microseconds) under which <paramref name="quantile"/> of the counts lie,
    /// interpolated inside the bucket; 0 when there are no counts.
    /// </summary>
    public static double Percentile(IReadOnlyList<long> counts, double quantile)
    {
        ArgumentNullException.ThrowIfNull(counts);
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return 0;
        }

        var rank = quantile * total;
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] == 0 || seen + counts[i] < rank)
            {
                seen += counts[i];
                continue;
            }

            double lower = i == 0 ? 0 : BoundsMicros[i - 1];
            double upper = i < BoundsMicros.Length ? BoundsMicros[i] : BoundsMicros[^1] * 2;
            return lower + ((upper - lower) * (rank - seen) / counts[i]);
        }

        return BoundsMicros[^1];
    }
}

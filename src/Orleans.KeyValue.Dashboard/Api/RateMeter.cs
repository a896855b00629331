namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>
/// Per-second rates of a few cumulative counters, recomputed at most once per second however
/// many pages ask (so two viewers do not make each other's rates jumpy).
/// </summary>
internal sealed class RateMeter(TimeProvider time)
{
    private readonly Lock _lock = new();
    private long _lastTimestamp;
    private long[] _last = [];
    private double[] _rates = [];

    /// <summary>The rates of <paramref name="values"/> (same order every call).</summary>
    public double[] Update(params long[] values)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_last.Length != values.Length)
            {
                _last = values;
                _lastTimestamp = now;
                _rates = new double[values.Length];
                return _rates;
            }

            var seconds = time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            if (seconds >= 1)
            {
                var rates = new double[values.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    rates[i] = Math.Max(0, values[i] - _last[i]) / seconds;
                }

                _rates = rates;
                _last = values;
                _lastTimestamp = now;
            }

            return _rates;
        }
    }
}

using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Dashboard.Api;
using Orleans.KeyValue.Gateway.Diagnostics;

namespace Orleans.KeyValue.Dashboard.Live;

/// <summary>
/// What <c>/api/stream</c> sends: once per <see cref="KeyValueDashboardOptions.StreamInterval"/> every
/// silo's sample, turned into rates and latency percentiles. The timer runs only while at least
/// one client is subscribed: it starts with the first and stops when the last leaves, and the
/// silos' per-key tracking (renewed by each sample request) lapses a few seconds later.
/// </summary>
internal sealed partial class LiveFeed : IDisposable
{
    private readonly SiloDashboard _dashboard;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Channel<string>> _subscribers = [];
    private readonly Dictionary<string, LiveSample> _previous = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private int _busy;

    public LiveFeed(SiloDashboard dashboard, TimeProvider time, ILogger<LiveFeed> logger)
    {
        _dashboard = dashboard;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while the sampling timer runs.</summary>
    public bool Running
    {
        get
        {
            lock (_lock)
            {
                return _timer is not null;
            }
        }
    }

    /// <summary>Clients subscribed now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Subscribes; read the events from the reader and dispose to leave.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
            if (_timer is null)
            {
                LogStarted();
                _timer = _time.CreateTimer(_ => _ = TickAsync(), null, TimeSpan.Zero, _dashboard.Options.StreamInterval);
            }
        }

        return new Subscription(this, channel);
    }

    private void Unsubscribe(Channel<string> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
            channel.Writer.TryComplete();
            if (_subscribers.Count == 0 && _timer is not null)
            {
                _timer.Dispose();
                _timer = null;
                _previous.Clear();
                LogStopped();
            }
        }
    }

    private async Task TickAsync()
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            return; // The previous tick still waits for a slow silo.
        }

        try
        {
            var samples = await _dashboard.AskEverySiloAsync(DashboardQuery.Sample, _dashboard.LocalSample);
            string json;
            lock (_lock)
            {
                json = JsonSerializer.Serialize(Build(samples.Where(s => s.Result is not null).Select(s => s.Result!)), SiloDashboard.Json);
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Writer.TryWrite(json);
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The environment (a silo leaving mid-query): the next tick tries again.
            LogTickFailed(exception);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private object Build(IEnumerable<LiveSample> samples)
    {
        var silos = new List<object>();
        foreach (var sample in samples.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            _previous.TryGetValue(sample.Address, out var before);
            _previous[sample.Address] = sample;
            var seconds = before is null ? 0 : (sample.TimeMs - before.TimeMs) / 1000.0;
            var commands = new List<object>();
            if (seconds > 0)
            {
                foreach (var (name, buckets) in sample.Latency)
                {
                    var delta = buckets.ToArray();
                    if (before!.Latency.TryGetValue(name, out var old))
                    {
                        for (var i = 0; i < delta.Length && i < old.Length; i++)
                        {
                            delta[i] -= old[i];
                        }
                    }

                    var count = delta.Sum();
                    if (count > 0)
                    {
                        commands.Add(new
                        {
                            name,
                            perSecond = Math.Round(count / seconds, 1),
                            p50Ms = Math.Round(LatencyHistogram.Percentile(delta, 0.50) / 1000, 3),
                            p99Ms = Math.Round(LatencyHistogram.Percentile(delta, 0.99) / 1000, 3),
                        });
                    }
                }
            }

            silos.Add(new
            {
                name = sample.Name,
                address = sample.Address,
                commandsPerSecond = seconds > 0 ? Math.Round(Math.Max(0, sample.Commands - before!.Commands) / seconds, 1) : 0,
                keys = sample.Keys,
                activations = sample.Activations,
                expiredPerSecond = seconds > 0 ? Math.Round(Math.Max(0, sample.Expired - before!.Expired) / seconds, 1) : 0,
                timingWheelPending = sample.TimingWheelPending,
                commands,
            });
        }

        return new { timeMs = _dashboard.NowMs, silos };
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>One client's place in the feed.</summary>
    internal sealed class Subscription(LiveFeed feed, Channel<string> channel) : IDisposable
    {
        public ChannelReader<string> Reader => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "Dashboard live feed started: a client subscribed")]
    private partial void LogStarted();

    [LoggerMessage(EventId = 711, Level = LogLevel.Debug, Message = "Dashboard live feed stopped: no client left")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Dashboard live feed tick failed")]
    private partial void LogTickFailed(Exception exception);
}

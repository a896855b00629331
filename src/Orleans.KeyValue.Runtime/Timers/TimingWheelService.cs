using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Runtime.Timers;

/// <summary>Turns the wheel on a <see cref="TimeProvider"/> timer and hands fired deadlines on.</summary>
public sealed partial class TimingWheelService : IHostedService, IDisposable
{
    private readonly TimeProvider _time;
    private readonly IDeadlineHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeSpan _tick;
    private readonly List<(byte[] Key, long DeadlineMs)> _due = [];
    private readonly Lock _turning = new();
    private ITimer? _timer;
    private readonly int _compactAfter;
    private long _fired;
    private long _firedSinceCompaction;
    private long _compactions;

    public TimingWheelService(TimingWheel wheel, TimeProvider time, IDeadlineHandler handler, IOptions<TimingWheelOptions> options, ILogger<TimingWheelService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Wheel = wheel;
        _time = time;
        _handler = handler;
        _logger = logger;
        _tick = options.Value.Tick;
        _compactAfter = options.Value.CompactAfterDeadlines;
    }

    /// <summary>Compacting collections run after mass expiries since start.</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    /// <summary>The wheel.</summary>
    public TimingWheel Wheel { get; }

    /// <summary>Deadlines fired since start.</summary>
    public long FiredTotal => Interlocked.Read(ref _fired);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = _time.CreateTimer(_ => Turn(), null, _tick, _tick);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Fires everything due by now. The timer calls it; tests may too.</summary>
    public int Turn()
    {
        // A slow turn must not overlap the next timer callback.
        if (!_turning.TryEnter())
        {
            return 0;
        }

        try
        {
            _due.Clear();
            var count = Wheel.Advance(_time.GetUtcNow().ToUnixTimeMilliseconds(), _due);
            foreach (var (key, deadline) in _due)
            {
                try
                {
                    _handler.OnDeadline(key, deadline);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // A failing expiry must not stop the wheel for every other key.
                    LogHandlerFailed(exception);
                }
            }

            _due.Clear();
            if (_due.Capacity > 4096)
            {
                _due.Capacity = 4096;
            }

            Interlocked.Add(ref _fired, count);
            _firedSinceCompaction += count;
            if (count == 0 && _compactAfter > 0 && _firedSinceCompaction >= _compactAfter)
            {
                // The burst is over: give the memory of the reclaimed keys back now.
                _firedSinceCompaction = 0;
                Interlocked.Increment(ref _compactions);
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }

            return count;
        }
        finally
        {
            _turning.Exit();
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "A deadline handler failed")]
    private partial void LogHandlerFailed(Exception exception);
}

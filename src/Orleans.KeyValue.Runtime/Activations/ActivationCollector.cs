using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>Collects idle activations every quantum (Orleans: <c>ActivationCollector</c>).</summary>
/// <typeparam name="TGrain">The grain class.</typeparam>
public sealed partial class ActivationCollector<TGrain> : IHostedService, IDisposable
    where TGrain : class
{
    private readonly GrainRuntime<TGrain> _runtime;
    private readonly TimeProvider _time;
    private readonly GrainCollectionOptions _options;
    private readonly ILogger _logger;
    private ITimer? _timer;

    public ActivationCollector(GrainRuntime<TGrain> runtime, TimeProvider time, IOptions<GrainCollectionOptions> options, ILogger<ActivationCollector<TGrain>> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runtime = runtime;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Sweeps in a row an activation must be idle: the age rounded up to whole quanta.</summary>
    public int SweepsNeeded => (int)Math.Max(1, Math.Ceiling(_options.CollectionAge / _options.CollectionQuantum));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = _time.CreateTimer(_ => Sweep(), null, _options.CollectionQuantum, _options.CollectionQuantum);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>One collection pass.</summary>
    public int Sweep()
    {
        var collected = _runtime.CollectIdle(SweepsNeeded);
        if (collected > 0)
        {
            LogCollected(collected, _runtime.ActivationCount);
        }

        return collected;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Collected {Collected} idle activations; {Remaining} remain")]
    private partial void LogCollected(int collected, int remaining);
}

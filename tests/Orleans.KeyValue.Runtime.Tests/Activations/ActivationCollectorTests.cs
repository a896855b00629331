using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Activations;
using Orleans.KeyValue.Testing.Time;

namespace Orleans.KeyValue.Runtime.Tests.Activations;

public sealed class ActivationCollectorTests
{
    [Fact(Timeout = 10_000)]
    public async Task IdleActivation_IsCollectedOnceTheCollectionAgePasses()
    {
        var time = new ManualTimeProvider();
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var options = Options.Create(new GrainCollectionOptions { CollectionAge = TimeSpan.FromMinutes(1), CollectionQuantum = TimeSpan.FromSeconds(10) });
        using var collector = new ActivationCollector<TestGrain>(runtime, time, options, NullLogger<ActivationCollector<TestGrain>>.Instance);
        await collector.StartAsync(CancellationToken.None);
        var key = Encoding.UTF8.GetBytes("idle");
        await runtime.InvokeAsync<GrainOfCall, TestGrain>(key, default);

        time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(runtime.IsActive(key));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(runtime.IsActive(key));
        await collector.StopAsync(CancellationToken.None);
    }
}

using System.Text;
using Orleans.KeyValue.Runtime.Activations;

namespace Orleans.KeyValue.Runtime.Tests.Activations;

/// <summary>
/// Activations that end as soon as no turn runs or waits (key grains): still one turn at a time
/// per key, across the activations a key gets over time.
/// </summary>
public sealed class EndWhenIdleTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key");

    [Fact(Timeout = 10_000)]
    public async Task IdleActivation_EndsAfterItsTurn_AndTheNextCallActivatesAfresh()
    {
        var activator = new TestGrainActivator();
        var runtime = new GrainRuntime<TestGrain>(activator, endWhenIdle: true);

        var first = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);
        Assert.False(runtime.IsActive(Key));
        Assert.Equal(0, runtime.ActivationCount);
        var second = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        Assert.NotSame(first, second);
        Assert.Equal(2, activator.Created);
        Assert.Equal(2, runtime.DeactivatedTotal);
    }

    [Fact(Timeout = 10_000)]
    public async Task CallsWhileATurnRuns_QueueOnTheSameActivation_ThenItEnds()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator(), endWhenIdle: true);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(1, gate.Task)).AsTask();
        var grain = runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default).AsTask();
        var queued = Enumerable.Range(2, 4).Select(i => runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(i)).AsTask()).ToArray();
        Assert.True(runtime.IsActive(Key));
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        gate.SetResult();
        await Task.WhenAll(queued.Append(first));
        var owner = await grain;

        Assert.Equal([1, 2, 3, 4, 5], owner.Log);
        Assert.Equal(0, owner.Overlaps);
        Assert.False(runtime.IsActive(Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task ManyThreads_NeverOverlapTurns_AcrossActivations()
    {
        var shared = new SharedTurns();
        var runtime = new GrainRuntime<SharedGrain>(new SharedGrainActivator(shared), endWhenIdle: true);
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await runtime.InvokeAsync<SharedCall, int>(Key, new SharedCall(i % 50 == 0));
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.Equal(0, shared.Overlaps);
        Assert.Equal(16000, shared.Calls);
        Assert.Equal(0, runtime.ActivationCount);
        Assert.Equal(runtime.ActivatedTotal, runtime.DeactivatedTotal);
    }

    private sealed class SharedTurns
    {
        public int Running;
        public int Overlaps;
        public int Calls;
    }

    private sealed class SharedGrain(SharedTurns shared)
    {
        public async ValueTask<int> RunAsync(bool yield)
        {
            if (Interlocked.Increment(ref shared.Running) > 1)
            {
                Interlocked.Increment(ref shared.Overlaps);
            }

            Interlocked.Increment(ref shared.Calls);
            if (yield)
            {
                await Task.Yield();
            }

            Interlocked.Decrement(ref shared.Running);
            return 0;
        }
    }

    private sealed class SharedGrainActivator(SharedTurns shared) : IGrainActivator<SharedGrain>
    {
        public SharedGrain Create(IGrainContext context) => new(shared);
    }

    private readonly struct SharedCall(bool yield) : IGrainCall<SharedGrain, int>
    {
        public ValueTask<int> InvokeAsync(SharedGrain grain) => grain.RunAsync(yield);
    }
}

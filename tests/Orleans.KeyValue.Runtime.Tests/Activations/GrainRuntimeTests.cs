using System.Text;
using Orleans.KeyValue.Runtime.Activations;

namespace Orleans.KeyValue.Runtime.Tests.Activations;

public sealed class GrainRuntimeTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key");

    [Fact(Timeout = 10_000)]
    public async Task Invoke_ActivatesOnFirstCall_AndReusesTheActivation()
    {
        var activator = new TestGrainActivator();
        var runtime = new GrainRuntime<TestGrain>(activator);

        Assert.False(runtime.IsActive(Key));
        var first = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);
        var second = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        Assert.Same(first, second);
        Assert.True(runtime.IsActive(Key));
        Assert.Equal(1, runtime.ActivationCount);
        Assert.Equal(Key, first.Context.Key);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConcurrentCallers_AllReachOneActivation()
    {
        for (var round = 0; round < 50; round++)
        {
            var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
            var key = Encoding.UTF8.GetBytes("k" + round);
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await runtime.InvokeAsync<GrainOfCall, TestGrain>(key, default);
            })).ToArray();
            start.Set();
            var grains = await Task.WhenAll(tasks);

            Assert.Single(grains.Distinct());
            Assert.Equal(1, runtime.ActivationCount);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Calls_WhileATurnIsRunning_WaitAndRunInArrivalOrder()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(1, gate.Task)).AsTask();
        var queued = Enumerable.Range(2, 5).Select(i => runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(i)).AsTask()).ToArray();

        // Turn 1 holds the grain: everything else waits in the queue.
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        gate.SetResult();
        await Task.WhenAll(queued.Append(first));
        var owner = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        Assert.Equal([1, 2, 3, 4, 5, 6], owner.Log);
        Assert.Equal(0, owner.Overlaps);
    }

    [Fact(Timeout = 30_000)]
    public async Task ManyThreads_NeverOverlapTurns()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(i, i % 100 == 0 ? Task.Run(static () => { }) : null));
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var grain = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        Assert.Equal(0, grain.Overlaps);
        Assert.Equal(16000, grain.Calls);
    }

    [Fact(Timeout = 10_000)]
    public async Task GrainException_ReachesTheCaller_AndTheActivationStaysUsable()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await runtime.InvokeAsync<ThrowingCall, int>(Key, default));
        var after = await runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(7));

        Assert.Equal(7, after);
    }

    [Fact(Timeout = 10_000)]
    public async Task CollectIdle_RemovesAnActivationOnlyAfterEnoughIdleSweeps()
    {
        var activator = new TestGrainActivator();
        var runtime = new GrainRuntime<TestGrain>(activator);
        var before = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        Assert.Equal(0, runtime.CollectIdle(sweepsNeeded: 2));
        Assert.True(runtime.IsActive(Key));
        Assert.Equal(1, runtime.CollectIdle(sweepsNeeded: 2));
        Assert.False(runtime.IsActive(Key));

        var after = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);
        Assert.NotSame(before, after);
        Assert.Equal(1, runtime.DeactivatedTotal);
    }

    [Fact(Timeout = 10_000)]
    public async Task CollectIdle_SparesAnActivationThatWasCalledSinceTheLastSweep()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        runtime.CollectIdle(sweepsNeeded: 2);
        await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);
        runtime.CollectIdle(sweepsNeeded: 2);

        Assert.True(runtime.IsActive(Key));
    }

    [Fact(Timeout = 10_000)]
    public async Task CollectIdle_NeverCollectsABusyActivation()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(1, gate.Task));

        Assert.Equal(0, runtime.CollectIdle(sweepsNeeded: 1));
        gate.SetResult();
        await busy;
        Assert.True(runtime.IsActive(Key));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeactivateOnIdle_EndsTheActivationAfterItsTurn()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var before = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        await runtime.InvokeAsync<DeactivateCall, int>(Key, default);

        Assert.False(runtime.IsActive(Key));
        Assert.NotSame(before, await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default));
    }

    [Fact(Timeout = 10_000)]
    public async Task DeactivateOnIdle_WaitsForQueuedCalls()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = runtime.InvokeAsync<RecordCall, int>(Key, new RecordCall(1, gate.Task)).AsTask();
        var deactivate = runtime.InvokeAsync<DeactivateCall, int>(Key, default).AsTask();
        var last = runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default).AsTask();

        gate.SetResult();
        await Task.WhenAll(first, deactivate);
        var grain = await last;

        Assert.Equal([1], grain.Log); // the queued call ran on the same activation
        Assert.False(runtime.IsActive(Key));
    }
}

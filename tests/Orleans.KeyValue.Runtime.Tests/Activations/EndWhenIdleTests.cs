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
    public async Task CallThatCompletesAtOnce_LeavesNoActivation_AndReusesTheStripesSpare()
    {
        var activator = new TestGrainActivator();
        var runtime = new GrainRuntime<TestGrain>(activator, endWhenIdle: true);

        var first = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);
        Assert.False(runtime.IsActive(Key));
        Assert.Equal(0, runtime.ActivationCount);
        var second = await runtime.InvokeAsync<GrainOfCall, TestGrain>(Key, default);

        // One grain object serves every key of the stripe, one turn at a time.
        Assert.Same(first, second);
        Assert.Equal(1, activator.Created);
        Assert.Equal(2, runtime.ActivatedTotal);
        Assert.Equal(2, runtime.DeactivatedTotal);
        Assert.Equal(0, runtime.ActivationCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task BorrowedTurn_SeesItsOwnKey_AndAThrowingCallLeavesTheSpareUsable()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator(), endWhenIdle: true);
        var a = Encoding.UTF8.GetBytes("a");
        var b = Encoding.UTF8.GetBytes("b");

        // The key is read inside the turn: a borrowed grain serves other keys after it.
        Assert.Equal(a, await runtime.InvokeAsync<KeyOfCall, byte[]>(a, default));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await runtime.InvokeAsync<ThrowingCall, int>(a, default));
        Assert.Equal(b, await runtime.InvokeAsync<KeyOfCall, byte[]>(b, default));
        Assert.Equal(0, runtime.ActivationCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task CallMadeInsideABorrowedTurn_ToAKeyOfTheSameStripe_RunsOnItsOwnActivation()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator(), endWhenIdle: true);
        var outer = Encoding.UTF8.GetBytes("outer");
        var inner = KeyOnTheStripeOf(outer);

        var keys = await runtime.InvokeAsync<NestedCall, (byte[] Outer, byte[] Inner)>(outer, new NestedCall(runtime, inner));

        Assert.Equal(outer, keys.Outer);
        Assert.Equal(inner, keys.Inner);
        Assert.Equal(0, runtime.ActivationCount);
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

    [Fact(Timeout = 10_000)]
    public async Task LongCall_RunsOnItsOwnActivation_SoOtherKeysOfItsStripeDoNotWait()
    {
        var runtime = new GrainRuntime<TestGrain>(new TestGrainActivator(), endWhenIdle: true);
        var slow = Encoding.UTF8.GetBytes("slow");
        var neighbour = KeyOnTheStripeOf(slow);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        var blocked = Task.Run(async () => await runtime.InvokeAsync<BlockingCall, int>(slow, new BlockingCall(started, release)));
        Assert.True(started.Wait(5_000));

        // The neighbour runs at once; the same key waits its turn behind the long call.
        var other = runtime.InvokeAsync<GrainOfCall, TestGrain>(neighbour, default);
        Assert.True(other.IsCompletedSuccessfully);
        Assert.True(runtime.IsActive(slow));
        var same = runtime.InvokeAsync<RecordCall, int>(slow, new RecordCall(2)).AsTask();
        Assert.False(same.IsCompleted);

        release.Set();
        Assert.Equal(1, await blocked);
        Assert.Equal(2, await same);
        Assert.Equal(0, runtime.ActivationCount);
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

    /// <summary>Another key that shares <paramref name="key"/>'s stripe.</summary>
    private static byte[] KeyOnTheStripeOf(byte[] key) =>
        Enumerable.Range(0, 100_000).Select(i => Encoding.UTF8.GetBytes("other" + i))
            .First(k => GrainRuntime<TestGrain>.StripeOf(k) == GrainRuntime<TestGrain>.StripeOf(key));

    /// <summary>Asks another key's grain from inside this turn, then reads its own key again.</summary>
    private readonly struct NestedCall(GrainRuntime<TestGrain> runtime, byte[] other) : IGrainCall<TestGrain, (byte[] Outer, byte[] Inner)>
    {
        public ValueTask<(byte[] Outer, byte[] Inner)> InvokeAsync(TestGrain grain)
        {
            var inner = runtime.InvokeAsync<GrainOfCall, TestGrain>(other, default);
            var innerKey = inner.IsCompletedSuccessfully ? inner.Result.Context.Key : throw new InvalidOperationException("the inner call did not complete at once");
            return new((grain.Context.Key, innerKey));
        }
    }

    private readonly struct KeyOfCall : IGrainCall<TestGrain, byte[]>
    {
        public ValueTask<byte[]> InvokeAsync(TestGrain grain) => new(grain.Context.Key);
    }

    /// <summary>Holds its grain synchronously until released, as a long script does.</summary>
    private readonly struct BlockingCall(ManualResetEventSlim started, ManualResetEventSlim release) : IGrainCall<TestGrain, int>, IMayRunLongGrainCall
    {
        public ValueTask<int> InvokeAsync(TestGrain grain)
        {
            started.Set();
            Assert.True(release.Wait(5_000));
            return new(1);
        }
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

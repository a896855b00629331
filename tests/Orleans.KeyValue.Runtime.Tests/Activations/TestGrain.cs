using Orleans.KeyValue.Runtime.Activations;

namespace Orleans.KeyValue.Runtime.Tests.Activations;

/// <summary>A grain that records what ran in it.</summary>
public sealed class TestGrain(IGrainContext context)
{
    private int _running;

    public IGrainContext Context { get; } = context;

    public List<int> Log { get; } = [];

    public int Overlaps { get; private set; }

    public int Calls { get; private set; }

    public async ValueTask<int> RunAsync(int id, Task? gate)
    {
        if (Interlocked.Increment(ref _running) > 1)
        {
            Overlaps++;
        }

        Calls++;
        Log.Add(id);
        if (gate is not null)
        {
            await gate;
        }

        Interlocked.Decrement(ref _running);
        return id;
    }
}

public sealed class TestGrainActivator : IGrainActivator<TestGrain>
{
    private int _created;

    public int Created => _created;

    public TestGrain Create(IGrainContext context)
    {
        Interlocked.Increment(ref _created);
        return new TestGrain(context);
    }
}

public readonly struct RecordCall(int id, Task? gate = null) : IGrainCall<TestGrain, int>
{
    public ValueTask<int> InvokeAsync(TestGrain grain) => grain.RunAsync(id, gate);
}

public readonly struct GrainOfCall : IGrainCall<TestGrain, TestGrain>
{
    public ValueTask<TestGrain> InvokeAsync(TestGrain grain) => new(grain);
}

public readonly struct ThrowingCall : IGrainCall<TestGrain, int>
{
    public ValueTask<int> InvokeAsync(TestGrain grain) => throw new InvalidOperationException("grain failure");
}

public readonly struct DeactivateCall : IGrainCall<TestGrain, int>
{
    public ValueTask<int> InvokeAsync(TestGrain grain)
    {
        grain.Context.DeactivateOnIdle();
        return new(0);
    }
}

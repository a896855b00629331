using BenchmarkDotNet.Attributes;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Activations;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Benchmarks.Grains;

/// <summary>
/// The local grain call path: GrainRuntime&lt;KeyGrain&gt;.InvokeAsync of a GET and a SET on an
/// existing key. KeepIdle=false is the silo's default (the key grain's activation ends when idle,
/// so every call activates it: the activation is the bytes per call); true keeps the activation
/// (GrainCollection:KeepIdleKeyGrains). The SET's value array is made once: the gateway's copy of
/// it out of the request is measured by CommandPathBenchmarks.
/// </summary>
[MemoryDiagnoser]
public class KeyGrainCallBenchmarks
{
    // Not sealed: BenchmarkDotNet derives from benchmark classes.
    private GrainRuntime<KeyGrain> _runtime = null!; // set in Setup, before any benchmark runs

    [Params(false, true)]
    public bool KeepIdle { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var storage = new MemoryGrainStorage<KeyRecord>();
        var time = TimeProvider.System;
        var wheel = new TimingWheel(time.GetUtcNow().ToUnixTimeMilliseconds(), 10, 256);
        var services = new KeyGrainServices(storage, wheel, time, new KeyspaceStatistics());
        _runtime = new GrainRuntime<KeyGrain>(new KeyGrainActivator(services), storage.FindKey, endWhenIdle: !KeepIdle);
        if (Set().Kind != KvReplyKind.Ok || Get().Kind != KvReplyKind.Bulk)
        {
            throw new InvalidOperationException("SET then GET of the benchmark key must work");
        }
    }

    [Benchmark]
    public KvReply Get() => Completed(_runtime.InvokeAsync<GetCall, KvReply>(RespCommands.Key, default));

    [Benchmark]
    public KvReply Set() =>
        Completed(_runtime.InvokeAsync<SetCall, KvReply>(RespCommands.Key, new SetCall(new SetRequest(RespCommands.Value, SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false))));

    private static KvReply Completed(ValueTask<KvReply> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("a call to a free grain completes at once");
}

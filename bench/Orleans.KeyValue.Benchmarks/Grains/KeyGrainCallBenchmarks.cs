using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Grains;
using Orleans.KeyValue.Grains.Calls;

namespace Orleans.KeyValue.Benchmarks.Grains;

/// <summary>
/// The local grain call path on a real Orleans silo in this process: the gateway's
/// <see cref="IKeyInvoker"/> making a GET and a SET grain call on an existing key (an activation
/// that stays: the call, not the activation, is measured). The SET's value array is made once:
/// the gateway's copy of it out of the request is measured by CommandPathBenchmarks.
/// </summary>
[MemoryDiagnoser]
public class KeyGrainCallBenchmarks
{
    // Not sealed: BenchmarkDotNet derives from benchmark classes.
    private IHost _host = null!; // set in Setup, before any benchmark runs
    private IKeyInvoker _keys = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .UseOrleans(silo => silo.UseLocalhostClustering(siloPort: 0, gatewayPort: 0))
            .ConfigureServices(services => services.AddKeyGrains())
            .Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _keys = _host.Services.GetRequiredService<IKeyInvoker>();
        if (Set().AsTask().GetAwaiter().GetResult().Kind != KvReplyKind.Ok || Get().AsTask().GetAwaiter().GetResult().Kind != KvReplyKind.Bulk)
        {
            throw new InvalidOperationException("SET then GET of the benchmark key must work");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark]
    public ValueTask<KvReply> Get() => _keys.InvokeAsync(RespCommands.Key, default(GetCall));

    [Benchmark]
    public ValueTask<KvReply> Set() =>
        _keys.InvokeAsync(RespCommands.Key, new SetCall(new SetRequest(RespCommands.Value, SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false)));
}

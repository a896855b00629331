using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Storage;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

/// <summary>The command executor with its keys on a manual clock; no sockets, no silo.</summary>
public sealed class GatewayHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly RespRequest _request = new();

    public GatewayHarness(string? password = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IKeyInvoker, DirectKeyInvoker>();
        services.AddRespGateway();
        services.Configure<RespGatewayOptions>(o => o.RequirePass = password);
        _services = services.BuildServiceProvider();
        Executor = _services.GetRequiredService<CommandExecutor>();
        Session = new ClientSession(1, null, null, Time.GetUtcNow().ToUnixTimeMilliseconds(), authenticated: password is null);
        Context = new CommandContext(Session);
    }

    public FakeTimeProvider Time { get; }

    public CommandExecutor Executor { get; }

    public ClientSession Session { get; }

    /// <summary>The keys' shared services (store, clock), for tests of the per-silo services.</summary>
    public KeyGrainServices Keys => _services.GetRequiredService<KeyGrainServices>();

    public CommandContext Context { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public KvReply Run(params string[] args) => Run(args.Select(Encoding.UTF8.GetBytes).ToArray());

    public KvReply Run(params byte[][] args)
    {
        _request.Reset();
        foreach (var arg in args)
        {
            _request.Add(arg);
        }

        var pending = Executor.ExecuteAsync(Context, _request);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new Xunit.Sdk.XunitException("a command completes at once on directly invoked keys");
        }

        return pending.Result;
    }

    public static KvReply Bulk(string text) => KvReply.FromBulk(Encoding.UTF8.GetBytes(text));

    /// <summary>Stores a key of a type other than string (only strings exist today; the type tag is what other types will carry).</summary>
    public void PlantOtherType(string key) =>
        _services.GetRequiredService<IRecordStore<KeyRecord>>().Write(Encoding.UTF8.GetBytes(key), new KeyRecord([1], (ValueKind)2, KeyRecord.NoDeadline));

    public static KvReply Err(string text) => KvReply.FromError(text);

    public void Dispose()
    {
        _request.Dispose();
        _services.Dispose();
    }
}

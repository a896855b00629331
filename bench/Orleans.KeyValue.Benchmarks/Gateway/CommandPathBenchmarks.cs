using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Gateway;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Benchmarks.Gateway;

/// <summary>
/// One whole local command without the socket: parse, CommandExecutor (command table, checks,
/// grain call) and reply writing, as RespConnectionHandler runs it for a single silo.
/// </summary>
[MemoryDiagnoser]
public class CommandPathBenchmarks : IDisposable
{
    // Not sealed: BenchmarkDotNet derives from benchmark classes.
    private readonly RespRequestParser _parser = new(new RespLimits());
    private readonly RespRequest _request = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private ServiceProvider? _services;
    private CommandExecutor _executor = null!; // set in Setup, before any benchmark runs
    private CommandContext _context = null!; // set in Setup, before any benchmark runs

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddRespGateway();
        _services = services.BuildServiceProvider();
        _executor = _services.GetRequiredService<CommandExecutor>();
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        _context = new CommandContext(new ClientSession(1, null, null, now, authenticated: true));
        // "+OK\r\n", and "$100\r\n" + the value + "\r\n".
        if (Set() != 5 || Get() != RespCommands.ValueSize + "$100\r\n\r\n".Length)
        {
            throw new InvalidOperationException("SET must answer +OK and GET the value");
        }
    }

    /// <summary>SET key value: returns the reply's length.</summary>
    [Benchmark]
    public int Set() => Run(RespCommands.Set);

    /// <summary>GET key on the existing key: returns the reply's length.</summary>
    [Benchmark]
    public int Get() => Run(RespCommands.Get);

    [GlobalCleanup]
    public void Dispose()
    {
        _request.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    private int Run(ReadOnlySequence<byte> command)
    {
        var reader = new SequenceReader<byte>(command);
        if (_parser.Parse(ref reader, _request) != RespParseStatus.Complete)
        {
            throw new InvalidOperationException("the benchmark command must parse whole");
        }

        var pending = _executor.ExecuteAsync(_context, _request);
        var reply = pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("a command on a free grain completes at once");
        _output.ResetWrittenCount();
        ReplyWriter.Write(_output, reply, _context.Session.Protocol);
        return _output.WrittenCount;
    }
}

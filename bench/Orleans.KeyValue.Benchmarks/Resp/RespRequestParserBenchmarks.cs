using System.Buffers;
using BenchmarkDotNet.Attributes;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Benchmarks.Resp;

/// <summary>The RESP request parser on one whole SET and GET in one segment (the fast path).</summary>
[MemoryDiagnoser]
public class RespRequestParserBenchmarks : IDisposable
{
    // Not sealed: BenchmarkDotNet derives from benchmark classes.
    private readonly RespRequestParser _parser = new(new RespLimits());
    private readonly RespRequest _request = new();

    [GlobalSetup]
    public void Setup()
    {
        if (ParseSet() != RespParseStatus.Complete || ParseGet() != RespParseStatus.Complete)
        {
            throw new InvalidOperationException("the benchmark commands must parse whole");
        }
    }

    [Benchmark]
    public RespParseStatus ParseSet() => Parse(RespCommands.Set);

    [Benchmark]
    public RespParseStatus ParseGet() => Parse(RespCommands.Get);

    [GlobalCleanup]
    public void Dispose()
    {
        _request.Dispose();
        GC.SuppressFinalize(this);
    }

    private RespParseStatus Parse(ReadOnlySequence<byte> command)
    {
        var reader = new SequenceReader<byte>(command);
        return _parser.Parse(ref reader, _request);
    }
}

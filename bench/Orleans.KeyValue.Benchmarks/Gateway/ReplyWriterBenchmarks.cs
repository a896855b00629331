using System.Buffers;
using BenchmarkDotNet.Attributes;
using Orleans.KeyValue.Gateway.Connections;

namespace Orleans.KeyValue.Benchmarks.Gateway;

/// <summary>The reply writer (RespWriter behind the gateway's ReplyWriter) on the replies of SET and GET.</summary>
[MemoryDiagnoser]
public class ReplyWriterBenchmarks
{
    // Not sealed: BenchmarkDotNet derives from benchmark classes.
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly KvReply _bulk = KvReply.FromBulk(RespCommands.Value);

    [Benchmark]
    public int WriteOk() => Write(KvReply.Ok);

    [Benchmark]
    public int WriteBulk() => Write(_bulk);

    [Benchmark]
    public int WriteNil() => Write(KvReply.Nil);

    [Benchmark]
    public int WriteInteger() => Write(KvReply.FromInteger(1_000_000));

    private int Write(in KvReply reply)
    {
        _output.ResetWrittenCount();
        ReplyWriter.Write(_output, reply, protocol: 2);
        return _output.WrittenCount;
    }
}

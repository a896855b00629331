using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Tests.Transport;

/// <summary>Two channels joined by in-memory pipes: the silo-to-silo protocol without sockets.</summary>
public sealed class SiloChannelTests
{
    private static readonly SiloTransportOptions Options = new() { MaxFrameLength = 4096 };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private static (SiloChannel Client, SiloChannel Server, Pipe ToServer) Connect(Func<SiloMessageType, byte[], CancellationToken, ValueTask<byte[]>> handler)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var client = new SiloChannel(new DuplexPipe(toClient.Reader, toServer.Writer), Options, (_, _, _) => throw new InvalidOperationException("the client serves nothing"));
        var server = new SiloChannel(new DuplexPipe(toServer.Reader, toClient.Writer), Options, handler);
        _ = client.RunAsync(CancellationToken.None);
        _ = server.RunAsync(CancellationToken.None);
        return (client, server, toServer);
    }

    [Fact(Timeout = 10_000)]
    public async Task ConcurrentRequests_EachGetTheirOwnResponse()
    {
        var (client, server, _) = Connect(async (type, payload, _) =>
        {
            // Answer out of order: later requests may finish first.
            await Task.Yield();
            return [(byte)type, .. payload];
        });

        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            client.RequestAsync(SiloMessageType.Command, Encoding.UTF8.GetBytes("r" + i), TimeSpan.FromSeconds(5), CancellationToken.None)));

        for (var i = 0; i < replies.Length; i++)
        {
            Assert.Equal((byte)SiloMessageType.Command, replies[i][0]);
            Assert.Equal("r" + i, Encoding.UTF8.GetString(replies[i].AsSpan(1)));
        }

        client.Close();
        server.Close();
    }

    [Fact(Timeout = 10_000)]
    public async Task AFailingHandler_IsAnUnavailableErrorThatMayHaveRun()
    {
        var (client, server, _) = Connect((_, _, _) => throw new InvalidDataException("bad payload"));

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() =>
            client.RequestAsync(SiloMessageType.Command, new byte[] { 1 }, TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.True(error.MayHaveArrived);
        Assert.Contains("bad payload", error.Message, StringComparison.Ordinal);
        client.Close();
        server.Close();
    }

    [Fact(Timeout = 10_000)]
    public async Task NoAnswerInTime_IsAnUnavailableErrorThatMayHaveRun()
    {
        var never = new TaskCompletionSource<byte[]>();
        var (client, server, _) = Connect((_, _, _) => new ValueTask<byte[]>(never.Task));

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() =>
            client.RequestAsync(SiloMessageType.Ping, ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(50), CancellationToken.None));

        Assert.True(error.MayHaveArrived);
        client.Close();
        server.Close();
    }

    [Fact(Timeout = 10_000)]
    public async Task AnOversizedFrame_ClosesTheConnection_AndFailsWhatWaits()
    {
        var never = new TaskCompletionSource<byte[]>();
        var (client, server, toServer) = Connect((_, _, _) => new ValueTask<byte[]>(never.Task));
        var waiting = client.RequestAsync(SiloMessageType.Ping, ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(5), CancellationToken.None);

        // A peer that announces a frame past the limit is cut off rather than buffered.
        var header = new byte[14];
        BinaryPrimitives.WriteInt32LittleEndian(header, Options.MaxFrameLength + 1);
        await toServer.Writer.WriteAsync(header);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!server.IsClosed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(server.IsClosed);
        client.Close();
        await Assert.ThrowsAsync<SiloUnavailableException>(() => waiting);
    }
}

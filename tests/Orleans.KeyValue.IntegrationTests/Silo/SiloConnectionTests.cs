using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>
/// Behaviour of our silo that has no redis-server counterpart to compare with: back-pressure on
/// slow readers, many connections racing for one grain, shutdown with clients connected.
/// </summary>
public sealed partial class SiloConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task SlowReader_StopsTheServerReadingAhead_AndStillGetsEveryReply()
    {
        // 1,000 GETs of a 64 KiB value are 64 MiB of replies; with a 256 KiB output limit the
        // silo must stop running the client's commands until it reads, not buffer them all.
        const int Gets = 1000;
        const int ValueLength = 64 * 1024;
        await using var silo = await SiloServer.StartAsync(["--Gateway:OutputBufferLimit", "262144"]);
        await using var observer = await RawRespConnection.ConnectAsync(silo.Port);
        var value = new byte[ValueLength];
        Random.Shared.NextBytes(value);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await observer.CommandAsync("SET"u8.ToArray(), "big"u8.ToArray(), value)));

        await using var reader = await RawRespConnection.ConnectAsync(silo.Port, readTimeout: Deadline);
        using var pipeline = new MemoryStream();
        for (var i = 0; i < Gets; i++)
        {
            pipeline.Write(RawRespConnection.EncodeCommand("GET", "big"));
        }

        // The observer's own INFO calls count as commands: take them off.
        var infos = 0;
        var baseline = await CommandsProcessedAsync(observer);
        async Task<long> ReaderCommandsAsync() => await CommandsProcessedAsync(observer) - baseline - ++infos;
        await reader.WriteRawAsync(pipeline.ToArray());

        // Wait until the silo stalls on the unread replies: the count stops moving.
        var clock = Stopwatch.StartNew();
        long last = -1, stalled = await ReaderCommandsAsync();
        while (stalled != last)
        {
            Assert.True(clock.Elapsed < Deadline, $"the silo never stalled; {stalled} commands ran");
            last = stalled;
            await Task.Delay(200);
            stalled = await ReaderCommandsAsync();
        }

        Assert.True(stalled < Gets / 2, $"the silo ran {stalled} commands ahead of a reader that read nothing");

        // Nothing is lost: every reply arrives, whole and in order, once the client reads.
        var expected = Encoding.ASCII.GetBytes($"${ValueLength}\r\n").Concat(value).Concat("\r\n"u8.ToArray()).ToArray();
        for (var i = 0; i < Gets; i++)
        {
            Assert.Equal(expected, await reader.ReadReplyAsync());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task LockPattern_ManyClientsRacing_ExactlyOneAcquires_AndOnlyItsTokenReleases()
    {
        const int Clients = 32;
        const string Unlock = "if redis.call(\"get\",KEYS[1]) == ARGV[1] then return redis.call(\"del\",KEYS[1]) else return 0 end";
        await using var silo = await SiloServer.StartAsync([]);
        var connections = new RawRespConnection[Clients];
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                connections[i] = await RawRespConnection.ConnectAsync(silo.Port);
            }

            for (var round = 0; round < 5; round++)
            {
                var resource = $"resource:{round}";
                var replies = await Task.WhenAll(connections.Select((c, i) => c.CommandAsync("SET", resource, $"token-{i}", "NX", "PX", "30000")));
                var winners = replies.Select((r, i) => (Reply: Encoding.UTF8.GetString(r), Client: i)).Where(r => r.Reply == "+OK\r\n").ToArray();
                Assert.Single(winners);
                Assert.All(replies.Where(r => Encoding.UTF8.GetString(r) != "+OK\r\n"), r => Assert.Equal("$-1\r\n", Encoding.UTF8.GetString(r)));

                // Every loser tries to release with its own token at once; only the winner can.
                var winner = winners[0].Client;
                var releases = await Task.WhenAll(connections.Select((c, i) => c.CommandAsync("EVAL", Unlock, "1", resource, $"token-{i}")));
                for (var i = 0; i < Clients; i++)
                {
                    Assert.Equal(i == winner ? ":1\r\n" : ":0\r\n", Encoding.UTF8.GetString(releases[i]));
                }

                Assert.Equal(":0\r\n", Encoding.UTF8.GetString(await connections[0].CommandAsync("EXISTS", resource)));
            }
        }
        finally
        {
            foreach (var connection in connections.Where(c => c is not null))
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Shutdown_WithClientsConnected_ClosesThemAndFinishes()
    {
        var silo = await SiloServer.StartAsync([]);
        await using var client = await RawRespConnection.ConnectAsync(silo.Port);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await client.CommandAsync("SET", "k", "v")));

        var stop = Stopwatch.StartNew();
        await silo.DisposeAsync();
        Assert.True(stop.Elapsed < Deadline, $"shutdown took {stop.Elapsed}");
        Assert.True(await client.IsClosedByServerAsync(Deadline), "the client was left connected after shutdown");
    }

    private static async Task<long> CommandsProcessedAsync(RawRespConnection connection)
    {
        var info = Encoding.UTF8.GetString(await connection.CommandAsync("INFO", "stats"));
        var match = CommandsProcessedLine().Match(info);
        Assert.True(match.Success, "INFO stats has no total_commands_processed: " + info);
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"total_commands_processed:(\d+)")]
    private static partial Regex CommandsProcessedLine();
}

using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// Connection limits (<c>maxclients</c>, <c>timeout</c>), protocol errors and pipelines, each on
/// a redis-server and a server under test started for the test with the same flags.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MaxClients_RefusesTheClientOverTheLimit_AndAcceptsOneAgainOnceASlotFrees()
    {
        await using var pair = await Pair.StartAsync("--maxclients", "2");
        var (referenceFirst, testedFirst) = await pair.ConnectBothAsync();
        await using var second = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "second");
        await second.AssertSameAsync("PING");

        await using (var third = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "third"))
        {
            var reply = await third.AssertSameNextReplyAsync("greeting of a client over maxclients");
            Assert.Equal("-ERR max number of clients reached\r\n", Encoding.UTF8.GetString(reply));
            await third.AssertBothClosedAsync(CloseWithin);
        }

        await referenceFirst.DisposeAsync();
        await testedFirst.DisposeAsync();

        // The freed slot is given out again (the server notices the close asynchronously).
        await pair.PollBothUntilAsync(async port =>
        {
            try
            {
                await using var again = await RawRespConnection.ConnectAsync(port);
                return Encoding.UTF8.GetString(await again.CommandAsync("PING")) == "+PONG\r\n";
            }
            catch (IOException)
            {
                // Refused and closed while the old slot was still counted.
                return false;
            }
        });
    }

    // client-query-buffer-limit (Redis's minimum, 1 MB): a command announced bigger and trickled in
    // past the limit closes the client; one under it is served.
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ClientQueryBufferLimit_ClosesAClientWhoseUnparsedInputPassesIt()
    {
        await using var pair = await Pair.StartAsync("--client-query-buffer-limit", "1048576");
        await using var small = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "small");
        await small.AssertSameAsync("ECHO", new string('x', 500_000));

        await using var big = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "big");
        var header = Encoding.ASCII.GetBytes("*2\r\n$4\r\nECHO\r\n$3000000\r\n");
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        foreach (var connection in new[] { big.Expected, big.Actual })
        {
            await connection.WriteRawAsync(header);
            try
            {
                for (var sent = 0; sent < 1_600_000; sent += chunk.Length)
                {
                    await connection.WriteRawAsync(chunk);
                }
            }
            catch (IOException)
            {
                // Closed while we were still sending: what the test waits for.
            }
        }

        await big.AssertBothClosedAsync(CloseWithin);
    }

    // maxmemory with noeviction (issue 13, item 1, part): past the limit (1 byte: always past it)
    // commands that may grow memory answer OOM, everything else works, as in redis-server.
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MaxMemory_NoEviction_RefusesGrowingCommands_AndServesTheRest()
    {
        await using var pair = await Pair.StartAsync("--maxmemory", "1");
        await using var run = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "oom");
        var key = run.Key();
        await run.AssertReplyAsync("-OOM command not allowed when used memory > 'maxmemory'.\r\n", "SET", key, "v");
        foreach (var command in new[]
        {
            new[] { "GET", key }, ["INCR", key], ["APPEND", key, "x"], ["HSET", key, "f", "v"], ["DEL", key], ["EXPIRE", key, "10"],
            ["EXISTS", key], ["PING"], ["CONFIG", "GET", "maxmemory"], ["MULTI"], ["SET", key, "v"], ["GET", key], ["EXEC"],
        })
        {
            await run.AssertSameAsync(command);
        }
    }

    // Eviction (issue 13, item 1): over a limit it cannot get under (1 byte), a policy evicts
    // every key it may, then refuses the write with OOM, as redis-server does; volatile policies
    // leave keys without a deadline. The evicted count is INFO's, on both servers.
    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("allkeys-lru", 0)]
    [InlineData("allkeys-lfu", 0)]
    [InlineData("allkeys-random", 0)]
    [InlineData("volatile-lru", 6)]
    [InlineData("volatile-lfu", 6)]
    [InlineData("volatile-random", 6)]
    [InlineData("volatile-ttl", 6)]
    public async Task MaxMemory_PolicyThatCannotGetUnder_EvictsWhatItMay_ThenRefuses(string policy, int kept)
    {
        await using var pair = await Pair.StartAsync("--maxmemory-policy", policy);
        await using var run = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "evict");
        for (var i = 0; i < 12; i++)
        {
            string[] set = i % 2 == 0 ? ["SET", $"{run.Key()}:{i}", "v", "EX", "1000"] : ["SET", $"{run.Key()}:{i}", "v"];
            await run.AssertSameAsync(set);
        }

        await run.AssertSameAsync("CONFIG", "SET", "maxmemory", "1");
        await run.AssertReplyAsync("-OOM command not allowed when used memory > 'maxmemory'.\r\n", "SET", run.Key(), "v");
        await run.AssertSameAsync("CONFIG", "SET", "maxmemory", "0");
        await run.AssertReplyAsync($":{kept}\r\n", "DBSIZE");
        foreach (var port in new[] { pair.Reference.Port, pair.Tested.Port })
        {
            await using var connection = await RawRespConnection.ConnectAsync(port);
            var info = Encoding.UTF8.GetString(await connection.CommandAsync("INFO", "stats"));
            Assert.Contains($"evicted_keys:{12 - kept}\r\n", info, StringComparison.Ordinal);
        }
    }

    // OBJECT FREQ and IDLETIME follow the policy: a new key's LFU counter is 5 and its first
    // read makes it 6 (Redis's LFULogIncr grows a counter at 5 for sure); under LFU, IDLETIME
    // answers Redis's error, under LRU the seconds idle; a missing key is nil.
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ObjectFreqAndIdleTime_FollowThePolicy()
    {
        await using var pair = await Pair.StartAsync("--maxmemory-policy", "allkeys-lfu");
        await using var run = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "object");
        var key = run.Key();
        foreach (var command in new[]
        {
            new[] { "SET", key, "v" }, ["OBJECT", "FREQ", key], ["GET", key], ["OBJECT", "FREQ", key], ["OBJECT", "FREQ", key + ":missing"],
            ["OBJECT", "IDLETIME", key], ["OBJECT", "IDLETIME", key + ":missing"],
            ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["SET", key, "w"], ["OBJECT", "IDLETIME", key], ["OBJECT", "FREQ", key],
        })
        {
            await run.AssertSameAsync(command);
        }
    }

    // CONFIG SET and GET of the memory parameters: values, Redis's units and error texts (one
    // parameter per GET: with a pattern, Redis answers in its hash table's order).
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ConfigSet_MemoryParameters_AnswerAsRedisDoes()
    {
        await using var pair = await Pair.StartAsync();
        await using var run = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "config");
        foreach (var command in new[]
        {
            new[] { "CONFIG", "SET", "maxmemory", "10mb" }, ["CONFIG", "GET", "maxmemory"], ["CONFIG", "SET", "maxmemory", "2G"], ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "SET", "maxmemory", "12abc"], ["CONFIG", "SET", "maxmemory", "-1"], ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["CONFIG", "GET", "maxmemory-policy"], ["CONFIG", "SET", "maxmemory-policy", "VOLATILE-TTL"],
            ["CONFIG", "GET", "maxmemory-policy"], ["CONFIG", "SET", "maxmemory-policy", "allkeys-mru"],
            ["CONFIG", "SET", "maxmemory-samples", "10"], ["CONFIG", "GET", "maxmemory-samples"], ["CONFIG", "SET", "maxmemory-samples", "0"], ["CONFIG", "SET", "maxmemory-samples", "65"],
            ["CONFIG", "SET", "lfu-log-factor", "5"], ["CONFIG", "SET", "lfu-decay-time", "-1"], ["CONFIG", "GET", "lfu-log-factor"], ["CONFIG", "GET", "lfu-decay-time"],
            ["CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "bogus"], ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy"], ["CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction"],
            ["CONFIG", "GET", "maxmemory-policy"], ["CONFIG", "GET", "maxmemory-samples"],
        })
        {
            await run.AssertSameAsync(command);
        }
    }

    // client-output-buffer-limit (issue 13, item 2): a client that pipelines 300 GETs of a
    // 100 KB value (30 MB of replies) and reads none is closed once the server holds past the
    // hard limit, or past the soft one for its seconds, on both servers; with no limit (Redis's
    // default for normal clients) it gets every reply.
    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("normal 1mb 0 0")]
    [InlineData("normal 0 512kb 1")]
    public async Task OutputBufferLimit_ClosesAClientThatDoesNotRead(string limit)
    {
        await using var pair = await Pair.StartAsync("--client-output-buffer-limit", limit);
        foreach (var port in new[] { pair.Reference.Port, pair.Tested.Port })
        {
            await using var slow = await StartSlowReaderAsync(port);
            Assert.True(await ClientsDropToAsync(port, 1), $"port {port}: the client that reads nothing is still connected");
            Assert.True(await slow.IsClosedByServerAsync(CloseWithin), $"port {port}: the connection is still open");
            await using var fresh = await RawRespConnection.ConnectAsync(port);
            Assert.Equal("+PONG\r\n", Encoding.UTF8.GetString(await fresh.CommandAsync("PING")));
        }
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task NoOutputBufferLimit_ASlowReaderGetsEveryReply()
    {
        await using var pair = await Pair.StartAsync();
        foreach (var port in new[] { pair.Reference.Port, pair.Tested.Port })
        {
            await using var slow = await StartSlowReaderAsync(port);
            for (var i = 0; i < SlowReaderGets; i++)
            {
                Assert.Equal(SlowReaderValue + 11, (await slow.ReadReplyAsync()).Length);
            }
        }
    }

    // maxmemory-clients (Redis 7's client eviction): eight clients each send 900 KB of a 1 MB
    // SET and stop; past 4 MB together the server closes the ones holding the most, keeps the
    // others (they finish their SET) and counts them in INFO stats, on both servers.
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MaxMemoryClients_ClosesTheClientsHoldingTheMost_AndKeepsTheRest()
    {
        await using var pair = await Pair.StartAsync("--maxmemory-clients", "4mb");
        foreach (var port in new[] { pair.Reference.Port, pair.Tested.Port })
        {
            var clients = new List<RawRespConnection>();
            try
            {
                for (var i = 0; i < 8; i++)
                {
                    var client = await RawRespConnection.ConnectAsync(port);
                    clients.Add(client);
                    await client.WriteRawAsync([.. Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$8\r\nhalf:{i:D3}\r\n$1000000\r\n"), .. new byte[900_000]]);
                }

                Assert.True(await PollAsync(async () => InfoField(await InfoAsync(port, "stats"), "evicted_clients") > 0), $"port {port}: no client evicted");
                var finished = 0;
                foreach (var client in clients)
                {
                    try
                    {
                        if (Encoding.ASCII.GetString(await client.SendRawAsync([.. new byte[100_000], .. "\r\n"u8])) == "+OK\r\n")
                        {
                            finished++;
                        }
                    }
                    catch (IOException)
                    {
                        // Evicted: closed by the server.
                    }
                }

                Assert.InRange(finished, 1, 7);
                await using var fresh = await RawRespConnection.ConnectAsync(port);
                Assert.Equal("+PONG\r\n", Encoding.UTF8.GetString(await fresh.CommandAsync("PING")));
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }
    }

    private const int SlowReaderGets = 300;

    private const int SlowReaderValue = 100_000;

    /// <summary>Sets a 100 KB value, then sends 300 GETs of it and reads none of the replies.</summary>
    private static async Task<RawRespConnection> StartSlowReaderAsync(int port)
    {
        var key = "obuf:" + Guid.NewGuid().ToString("N");
        await using (var setter = await RawRespConnection.ConnectAsync(port))
        {
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await setter.CommandAsync("SET", key, new string('v', SlowReaderValue))));
        }

        var slow = await RawRespConnection.ConnectAsync(port);
        var get = RawRespConnection.EncodeCommand("GET", key);
        await slow.WriteRawAsync([.. Enumerable.Range(0, SlowReaderGets).SelectMany(_ => get)]);
        return slow;
    }

    /// <summary>Polls INFO clients until <paramref name="count"/> clients are connected (the poller included).</summary>
    private static Task<bool> ClientsDropToAsync(int port, long count) =>
        PollAsync(async () => InfoField(await InfoAsync(port, "clients"), "connected_clients") <= count);

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + CloseWithin;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static async Task<string> InfoAsync(int port, string section)
    {
        await using var connection = await RawRespConnection.ConnectAsync(port);
        return Encoding.UTF8.GetString(await connection.CommandAsync("INFO", section));
    }

    private static long InfoField(string info, string name) =>
        info.Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Select(l => long.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(-1);

    // Found by bench/fuzz.sh: a client that sends its commands and at once shuts its write side
    // (`printf 'PING\r\n' | nc -N`) gets every reply, then the close, as from redis-server.
    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("*1\r\n$4\r\nPING\r\n", "+PONG\r\n")]
    [InlineData("PING\r\nECHO hi\r\n", "+PONG\r\n$2\r\nhi\r\n")]
    public async Task HalfClose_AfterTheCommands_StillGetsTheirReplies(string sent, string expected)
    {
        await using var pair = await Pair.StartAsync();
        foreach (var port in new[] { pair.Reference.Port, pair.Tested.Port })
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
                await socket.SendAsync(Encoding.ASCII.GetBytes(sent));
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                using var reading = new CancellationTokenSource(CloseWithin);
                var received = new List<byte>();
                var buffer = new byte[4096];
                int read;
                while ((read = await socket.ReceiveAsync(buffer, reading.Token)) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, read).ToArray());
                }

                Assert.Equal(expected, Encoding.ASCII.GetString([.. received]));
            }
        }
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Timeout_ClosesAnIdleClient_AndKeepsAnActiveOne()
    {
        await using var pair = await Pair.StartAsync("--timeout", "1");
        await using var idle = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "idle");
        await idle.AssertSameAsync("PING");
        await idle.AssertBothClosedAsync(CloseWithin);

        await using var fresh = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "fresh");
        await fresh.AssertSameAsync("SET", fresh.Key(), "v");
        await fresh.AssertSameAsync("GET", fresh.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ProtocolError_ClosesOnlyThatConnection()
    {
        await using var pair = await Pair.StartAsync();
        await using var healthy = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "healthy");
        await healthy.AssertSameAsync("SET", healthy.Key(), "kept");

        await using (var broken = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "broken"))
        {
            await broken.AssertSameRawAsync("*1\r\n$abc\r\n"u8.ToArray());
            await broken.AssertBothClosedAsync(CloseWithin);
        }

        var value = await healthy.AssertSameAsync("GET", healthy.Key());
        Assert.Equal("$4\r\nkept\r\n", Encoding.UTF8.GetString(value));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Pipeline_OfTenThousandCommandsInOneWrite_RepliesToEachInOrder()
    {
        await using var pair = await Pair.StartAsync();
        await using var run = await DifferentialRun.OpenAsync(pair.Reference.Port, pair.Tested.Port, "pipeline");
        const int Pairs = 5000;
        using var request = new MemoryStream();
        for (var i = 0; i < Pairs; i++)
        {
            var key = run.Key("k" + (i % 97));
            request.Write(RawRespConnection.EncodeCommand("SET", key, "v" + i, "GET"));
            request.Write(RawRespConnection.EncodeCommand("GET", key));
        }

        var first = await run.AssertSameRawAsync(request.ToArray());
        Assert.Equal("$-1\r\n", Encoding.UTF8.GetString(first));
        for (var i = 1; i < Pairs * 2; i++)
        {
            var reply = await run.AssertSameNextReplyAsync($"reply {i} of the pipeline");
            if (i % 2 == 1)
            {
                // Each GET sees the SET just before it.
                Assert.Equal(RedisReply.Bulk($"v{i / 2}"), Encoding.UTF8.GetString(reply));
            }
        }
    }

    /// <summary>A redis-server and a server under test started with the same flags for one test.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private Pair(RedisServerProcess reference, IRespServer tested)
        {
            Reference = reference;
            Tested = tested;
        }

        public RedisServerProcess Reference { get; }

        public IRespServer Tested { get; }

        public static async Task<Pair> StartAsync(params string[] arguments)
        {
            var reference = await RedisServerProcess.StartAsync(arguments);
            try
            {
                return new Pair(reference, await ServerUnderTest.StartAsync(arguments));
            }
            catch
            {
                await reference.DisposeAsync();
                throw;
            }
        }

        public async Task<(RawRespConnection Reference, RawRespConnection Tested)> ConnectBothAsync()
        {
            var reference = await RawRespConnection.ConnectAsync(Reference.Port);
            var tested = await RawRespConnection.ConnectAsync(Tested.Port);
            Assert.Equal("+PONG\r\n", Encoding.UTF8.GetString(await reference.CommandAsync("PING")));
            Assert.Equal("+PONG\r\n", Encoding.UTF8.GetString(await tested.CommandAsync("PING")));
            return (reference, tested);
        }

        /// <summary>Polls <paramref name="probe"/> on each server until it holds, with a deadline.</summary>
        public async Task PollBothUntilAsync(Func<int, Task<bool>> probe)
        {
            foreach (var server in new IRespServer[] { Reference, Tested })
            {
                var deadline = DateTime.UtcNow + CloseWithin;
                while (!await probe(server.Port))
                {
                    Assert.True(DateTime.UtcNow < deadline, $"{server.Name} did not get there within {CloseWithin}");
                    await Task.Delay(20);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Tested.DisposeAsync();
            await Reference.DisposeAsync();
        }
    }
}

using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>A 3-silo cluster shared by the routing tests of one class.</summary>
public abstract class ThreeSiloClusterFixture(TestClusterOptions options) : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(3, options);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Embedded membership, silos in this process.</summary>
public sealed class EmbeddedThreeSiloClusterFixture() : ThreeSiloClusterFixture(new TestClusterOptions());

/// <summary>PostgreSQL membership, silos in this process.</summary>
public sealed class PostgresThreeSiloClusterFixture() : ThreeSiloClusterFixture(new TestClusterOptions { Membership = "postgres" });

/// <summary>The routing tests on the embedded table.</summary>
public sealed class EmbeddedClusterRoutingTests(EmbeddedThreeSiloClusterFixture fixture)
    : ClusterRoutingTests(fixture), IClassFixture<EmbeddedThreeSiloClusterFixture>;

/// <summary>The routing tests on the PostgreSQL table.</summary>
public sealed class PostgresClusterRoutingTests(PostgresThreeSiloClusterFixture fixture)
    : ClusterRoutingTests(fixture), IClassFixture<PostgresThreeSiloClusterFixture>;

/// <summary>Any silo answers for any key; a key lives on one silo only.</summary>
public abstract class ClusterRoutingTests(ThreeSiloClusterFixture fixture)
{
    private const int Timeout = 60_000;

    private TestCluster Cluster => fixture.Cluster;

    private static string Key(string name) => $"route:{Guid.NewGuid():N}:{name}";

    private static async Task<string> SendAsync(RawRespConnection client, params string[] args) =>
        Encoding.UTF8.GetString(await client.CommandAsync(args));

    [Fact(Timeout = Timeout)]
    public async Task EveryKey_IsReadableThroughEverySilo()
    {
        var silos = Cluster.LiveSilos;
        var clients = await Task.WhenAll(silos.Select(TestCluster.ConnectAsync));
        try
        {
            var keys = Enumerable.Range(0, 300).Select(i => Key(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
            for (var i = 0; i < keys.Count; i++)
            {
                Assert.Equal(RedisReply.Ok, await SendAsync(clients[i % clients.Length], "SET", keys[i], "value-" + i));
            }

            foreach (var client in clients)
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    Assert.Equal(RedisReply.Bulk("value-" + i), await SendAsync(client, "GET", keys[i]));
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task KeysAreSpreadOverEverySilo()
    {
        var counts = new List<int>();
        foreach (var silo in Cluster.LiveSilos)
        {
            var info = await TestCluster.ClusterInfoAsync(silo);
            counts.Add(int.Parse(info["kv_slots_served"], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(16384, counts.Sum());

        // Consistent hashing with virtual nodes: no silo gets less than half its fair share.
        Assert.All(counts, c => Assert.InRange(c, 16384 / 3 / 2, 16384));
    }

    [Fact(Timeout = Timeout)]
    public async Task LockTakenThroughOneGateway_IsRefusedThroughEveryOther()
    {
        var key = Key("lock");
        var silos = Cluster.LiveSilos;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        Assert.Equal(RedisReply.Ok, await SendAsync(first, "SET", key, "token-0", "NX", "PX", "30000"));
        foreach (var silo in silos.Skip(1))
        {
            await using var other = await TestCluster.ConnectAsync(silo);
            Assert.Equal(RedisReply.Nil, await SendAsync(other, "SET", key, "token-x", "NX", "PX", "30000"));
            Assert.Equal(RedisReply.Bulk("token-0"), await SendAsync(other, "GET", key));
        }

        // The unlock script of the Redis docs, through another gateway: atomic on the owner.
        const string Unlock = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";
        await using var last = await TestCluster.ConnectAsync(silos[^1]);
        Assert.Equal(RedisReply.Integer(0), await SendAsync(last, "EVAL", Unlock, "1", key, "token-x"));
        Assert.Equal(RedisReply.Integer(1), await SendAsync(last, "EVAL", Unlock, "1", key, "token-0"));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(first, "EXISTS", key));
    }

    [Fact(Timeout = Timeout)]
    public async Task ConcurrentSetNx_ThroughAllGateways_HasExactlyOneWinner()
    {
        var silos = Cluster.LiveSilos;
        var clients = await Task.WhenAll(silos.Concat(silos).Select(TestCluster.ConnectAsync));
        try
        {
            for (var round = 0; round < 100; round++)
            {
                var key = Key("race" + round);
                var replies = await Task.WhenAll(clients.Select((c, i) => SendAsync(c, "SET", key, "t" + i, "NX", "PX", "60000")));
                Assert.Equal(1, replies.Count(r => r == RedisReply.Ok));
                Assert.Equal(clients.Length - 1, replies.Count(r => r == RedisReply.Nil));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task PipelinedCommandsToDifferentSilos_ReplyInOrder()
    {
        var keys = Enumerable.Range(0, 200).Select(i => Key("pipe" + i)).ToList();
        await using var client = await TestCluster.ConnectAsync(Cluster.LiveSilos[0]);
        var batch = new List<byte>();
        for (var i = 0; i < keys.Count; i++)
        {
            batch.AddRange(RawRespConnection.EncodeCommand("SET", keys[i], "v" + i));
            batch.AddRange(RawRespConnection.EncodeCommand("GET", keys[i]));
        }

        await client.WriteRawAsync([.. batch]);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await client.ReadReplyAsync()));
            Assert.Equal(RedisReply.Bulk("v" + i), Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task PipelinedWritesInFlightTogether_KeepEachKeysOrder_AndWaitForKeylessCommands()
    {
        // Forwarded commands on different slots are in flight together; a later command on the
        // same key, a command without a key (PING) and a multi-slot DEL/EXISTS wait for them.
        var keys = Enumerable.Range(0, 20).Select(i => Key("window" + i)).ToList();
        await using var client = await TestCluster.ConnectAsync(Cluster.LiveSilos[1]);
        var batch = new List<byte>();
        var expected = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            foreach (var key in keys)
            {
                batch.AddRange(RawRespConnection.EncodeCommand("SET", key, $"{round}:{key}"));
                expected.Add(RedisReply.Ok);
            }

            batch.AddRange(RawRespConnection.EncodeCommand("PING"));
            expected.Add(RedisReply.Pong);
            foreach (var key in keys)
            {
                batch.AddRange(RawRespConnection.EncodeCommand("GET", key));
                expected.Add(RedisReply.Bulk($"{round}:{key}"));
            }
        }

        batch.AddRange(RawRespConnection.EncodeCommand("DEL", keys[0], keys[1]));
        expected.Add(RedisReply.Integer(2));
        batch.AddRange(RawRespConnection.EncodeCommand("EXISTS", keys[0], keys[1], keys[2]));
        expected.Add(RedisReply.Integer(1));

        await client.WriteRawAsync([.. batch]);
        foreach (var reply in expected)
        {
            Assert.Equal(reply, Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task DelAndExists_OfKeysOnSeveralSilos_CountEveryKey()
    {
        var keys = Enumerable.Range(0, 20).Select(i => Key("multi" + i)).ToArray();
        await using var client = await TestCluster.ConnectAsync(Cluster.LiveSilos[1]);
        foreach (var key in keys)
        {
            await SendAsync(client, "SET", key, "x");
        }

        Assert.Equal(RedisReply.Integer(21), await SendAsync(client, ["EXISTS", .. keys, keys[0]]));
        Assert.Equal(RedisReply.Integer(20), await SendAsync(client, ["DEL", .. keys, "missing-" + keys[0]]));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(client, ["EXISTS", .. keys]));
    }

    [Fact(Timeout = Timeout)]
    public async Task AclUserSetThroughOneSilo_WorksThroughEvery_AndDeletedThroughAnotherIsGoneEverywhere()
    {
        var user = "acl" + Guid.NewGuid().ToString("N")[..8];
        var silos = Cluster.LiveSilos;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        Assert.Equal(RedisReply.Ok, await SendAsync(first, "ACL", "SETUSER", user, "on", ">pw", "~mine:*", "+@all", "-hset"));
        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal(RedisReply.Ok, await SendAsync(client, "AUTH", user, "pw"));
            Assert.Equal(RedisReply.Ok, await SendAsync(client, "SET", "mine:" + Key(silo.Name), "v"));
            Assert.Equal(
                "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n",
                await SendAsync(client, "SET", Key(silo.Name), "v"));

            // The script runs in its key's turn on the key's owner, maybe another silo: the caller goes along.
            Assert.StartsWith(
                "-ERR The user executing the script can't run this command or subcommand",
                await SendAsync(client, "EVAL", "return redis.call('hset', KEYS[1], 'f', 'v')", "1", "mine:" + Key(silo.Name)),
                StringComparison.Ordinal);
        }

        await using var second = await TestCluster.ConnectAsync(silos[1]);
        Assert.Equal(RedisReply.Integer(1), await SendAsync(second, "ACL", "DELUSER", user));
        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal(
                "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                await SendAsync(client, "AUTH", user, "pw"));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ScriptLoadedThroughOneSilo_RunsByShaThroughAnother()
    {
        var key = Key("sha");
        var silos = Cluster.LiveSilos;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        var sha = await SendAsync(first, "SCRIPT", "LOAD", "return redis.call('set', KEYS[1], ARGV[1])");
        sha = sha.Split("\r\n")[1];
        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal(RedisReply.Integer(1), await SendAsync(client, "SCRIPT", "EXISTS", sha) switch
            {
                var r when r.StartsWith("*1\r\n", StringComparison.Ordinal) => r[4..],
                var r => r,
            });
            Assert.Equal(RedisReply.Ok, await SendAsync(client, "EVALSHA", sha, "1", key, silo.Name));
            Assert.Equal(RedisReply.Bulk(silo.Name), await SendAsync(client, "GET", key));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task InfoCluster_ListsEverySiloAsActive_FromAnySilo()
    {
        foreach (var silo in Cluster.LiveSilos)
        {
            var info = await TestCluster.ClusterInfoAsync(silo);
            Assert.Equal("0", info["cluster_enabled"]);
            Assert.Equal("3", info["kv_silos_active"]);
            var rows = info.Where(p => p.Key.StartsWith("silo_", StringComparison.Ordinal)).Select(p => p.Value).ToList();
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Contains("status=active", r, StringComparison.Ordinal));
            Assert.Single(rows, r => r.Contains("self=1", StringComparison.Ordinal) && r.Contains("name=" + silo.Name + ",", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ConditionalCommands_RouteToTheOwner_AndMsetexWantsOneSlot()
    {
        var silos = Cluster.LiveSilos;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        await using var other = await TestCluster.ConnectAsync(silos[2]);
        var key = Key("delex");
        Assert.Equal(RedisReply.Ok, await SendAsync(first, "SET", key, "token"));
        Assert.Equal(RedisReply.Nil, await SendAsync(other, "SET", key, "x", "IFEQ", "wrong"));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(other, "DELEX", key, "IFEQ", "wrong"));
        Assert.Equal(RedisReply.Integer(1), await SendAsync(other, "DELEX", key, "IFEQ", "token"));
        Assert.Equal(RedisReply.Nil, await SendAsync(first, "GET", key));

        var tag = "{" + Guid.NewGuid().ToString("N") + "}";
        Assert.Equal(RedisReply.Integer(1), await SendAsync(other, "MSETEX", "2", tag + "a", "1", tag + "b", "2", "PX", "60000"));
        Assert.Equal(RedisReply.Bulk("2"), await SendAsync(first, "GET", tag + "b"));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(first, "MSETEX", "2", tag + "a", "1", tag + "c", "3", "NX"));
        Assert.Equal(RedisReply.Nil, await SendAsync(first, "GET", tag + "c"));
        Assert.StartsWith("-CROSSSLOT", await SendAsync(first, "MSETEX", "2", Key("x"), "1", Key("y"), "2"), StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task MSetAndMGet_OverKeysOfEverySilo_WorkThroughAnyGateway()
    {
        var keys = Enumerable.Range(0, 30).Select(i => Key("m" + i)).ToArray();
        var silos = Cluster.LiveSilos;
        await using var writer = await TestCluster.ConnectAsync(silos[0]);
        Assert.Equal(RedisReply.Ok, await SendAsync(writer, ["MSET", .. keys.SelectMany((k, i) => new[] { k, "v" + i })]));

        // One array in the keys' order, nil for a missing key, from every gateway.
        var expected = "*32\r\n" + string.Concat(keys.Select((_, i) => RedisReply.Bulk("v" + i))) + RedisReply.Nil + RedisReply.Bulk("v0");
        foreach (var silo in silos)
        {
            await using var reader = await TestCluster.ConnectAsync(silo);
            Assert.Equal(expected, await SendAsync(reader, ["MGET", .. keys, Key("missing"), keys[0]]));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task StringCommands_RouteToTheOwner_AndMultiKeyOnesWantOneSlotWhereRedisClusterDoes()
    {
        var silos = Cluster.LiveSilos;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        await using var other = await TestCluster.ConnectAsync(silos[2]);
        var counters = Enumerable.Range(0, 12).Select(i => Key("n" + i)).ToArray();
        foreach (var counter in counters)
        {
            Assert.Equal(RedisReply.Integer(1), await SendAsync(first, "INCR", counter));
            Assert.Equal(RedisReply.Integer(11), await SendAsync(other, "INCRBY", counter, "10"));
            Assert.Equal(RedisReply.Bulk("11.5"), await SendAsync(first, "INCRBYFLOAT", counter, "0.5"));
            Assert.Equal(RedisReply.Integer(5), await SendAsync(other, "APPEND", counter, "x"));
            Assert.Equal(RedisReply.Bulk("1.5x"), await SendAsync(first, "GETRANGE", counter, "1", "-1"));
        }

        var tag = "{" + Guid.NewGuid().ToString("N") + "}";
        Assert.Equal(RedisReply.Integer(1), await SendAsync(other, "MSETNX", tag + "a", "ohmytext", tag + "b", "mynewtext"));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(first, "MSETNX", tag + "b", "x", tag + "c", "y"));
        Assert.Equal(RedisReply.Bulk("mytext"), await SendAsync(first, "LCS", tag + "a", tag + "b"));
        // "foo" and "bar" are in slots 12182 and 5061.
        Assert.StartsWith("-CROSSSLOT", await SendAsync(first, "MSETNX", "foo", "1", "bar", "2"), StringComparison.Ordinal);
        Assert.StartsWith("-CROSSSLOT", await SendAsync(first, "LCS", "foo", "bar"), StringComparison.Ordinal);
    }

    // A script over two keys of one slot holds the slot: single-key commands from other clients
    // (through every gateway) never run between its reads and writes, and other such scripts
    // never interleave with it, so the transfers keep the sum and the script sees its own INCR.
    // Found by bench/fuzz.sh: a script whose key is the empty string (an empty grain id to
    // Orleans) was never answered through a silo that does not own slot 0; keys starting with
    // 0xFF share its escape.
    [Fact(Timeout = 60_000)]
    public async Task ScriptsOnTheEmptyKeyAndOn0xFFKeys_RunThroughEverySilo()
    {
        var prefix = Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N"));
        byte[][] keys = [[], [0xFF], [0xFF, 0xFF, .. prefix], [0xFF, .. prefix]];
        foreach (var silo in Cluster.LiveSilos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            foreach (var key in keys)
            {
                var value = Encoding.ASCII.GetBytes(silo.Name);
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await client.CommandAsync("EVAL"u8.ToArray(), "return redis.call('SET', KEYS[1], ARGV[1])"u8.ToArray(), "1"u8.ToArray(), key, value)));
                Assert.Equal(RedisReply.Bulk(silo.Name), Encoding.UTF8.GetString(await client.CommandAsync("EVAL"u8.ToArray(), "return redis.call('GET', KEYS[1])"u8.ToArray(), "1"u8.ToArray(), key)));
                Assert.Equal(RedisReply.Bulk(silo.Name), Encoding.UTF8.GetString(await client.CommandAsync("GET"u8.ToArray(), key)));
            }
        }

        await using var cleanup = await TestCluster.ConnectAsync(Cluster.LiveSilos[0]);
        foreach (var key in keys)
        {
            Assert.Equal(RedisReply.Integer(1), Encoding.UTF8.GetString(await cleanup.CommandAsync("DEL"u8.ToArray(), key)));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ScriptOverOneSlot_IsAtomicAgainstEveryOtherCommandOfTheSlot()
    {
        var tag = "{" + Guid.NewGuid().ToString("N") + "}";
        string a = tag + "a", b = tag + "b";
        const string Transfer = "local v = redis.call('INCR', KEYS[1]) for i = 1, 20000 do end redis.call('DECR', KEYS[2]) " +
            "if tonumber(redis.call('GET', KEYS[1])) ~= v then return 'interleaved' end return tonumber(redis.call('GET', KEYS[1])) + tonumber(redis.call('GET', KEYS[2]))";
        var silos = Cluster.LiveSilos;
        await using var setup = await TestCluster.ConnectAsync(silos[0]);
        Assert.Equal(RedisReply.Ok, await SendAsync(setup, "MSET", a, "0", b, "0"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var hammers = silos.Select(async silo =>
        {
            // Single-key writes that keep the sum: +1 on one key, -1 on the other.
            await using var client = await TestCluster.ConnectAsync(silo);
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await SendAsync(client, "INCR", a);
                await SendAsync(client, "DECR", b);
                n++;
            }

            return n;
        }).ToList();
        var transfers = silos.Select(async silo =>
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            var replies = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                replies.Add(await SendAsync(client, "EVAL", Transfer, "2", a, b));
            }

            return replies;
        }).ToList();
        await Task.WhenAll(hammers);
        var all = (await Task.WhenAll(transfers)).SelectMany(r => r).ToList();

        Assert.NotEmpty(all);
        Assert.DoesNotContain(all, r => r.Contains("interleaved", StringComparison.Ordinal));

        // Each reply is the sum when the script ran: 0, or 1 while one hammer is between its INCR and DECR.
        Assert.All(all, r => Assert.Contains(r, new[] { RedisReply.Integer(0), RedisReply.Integer(1), RedisReply.Integer(2), RedisReply.Integer(3) }));
        Assert.Equal(RedisReply.Integer(0), await SendAsync(setup, "EVAL", "return tonumber(redis.call('GET', KEYS[1])) + tonumber(redis.call('GET', KEYS[2]))", "2", a, b));
    }

    [Fact(Timeout = Timeout)]
    public async Task Hashes_OnEverySilo_AnswerAlikeThroughEveryGateway_InRespTwoAndThree()
    {
        var keys = Enumerable.Range(0, 12).Select(i => Key("hash" + i)).ToArray();
        var silos = Cluster.LiveSilos;
        await using var writer = await TestCluster.ConnectAsync(silos[0]);
        foreach (var key in keys)
        {
            Assert.Equal(RedisReply.Integer(2), await SendAsync(writer, "HSET", key, "a", "1", "b", "2"));
            Assert.Equal(RedisReply.Integer(11), await SendAsync(writer, "HINCRBY", key, "a", "10"));
        }

        foreach (var silo in silos)
        {
            await using var reader = await TestCluster.ConnectAsync(silo);
            await using var resp3 = await TestCluster.ConnectAsync(silo);
            await resp3.CommandAsync("HELLO", "3");
            foreach (var key in keys)
            {
                Assert.Equal("*4\r\n$1\r\na\r\n$2\r\n11\r\n$1\r\nb\r\n$1\r\n2\r\n", await SendAsync(reader, "HGETALL", key));
                Assert.Equal("%2\r\n$1\r\na\r\n$2\r\n11\r\n$1\r\nb\r\n$1\r\n2\r\n", await SendAsync(resp3, "HGETALL", key));
                Assert.Equal("*2\r\n*2\r\n$1\r\na\r\n$2\r\n11\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", await SendAsync(resp3, "HRANDFIELD", key, "5", "WITHVALUES"));
                Assert.StartsWith("-WRONGTYPE", await SendAsync(reader, "GET", key), StringComparison.Ordinal);
            }
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Functions_LoadedThroughOneSilo_RunOnKeysOfEverySilo_AndGoEverywhere()
    {
        var silos = Cluster.LiveSilos;
        var library = "lib" + Guid.NewGuid().ToString("N")[..8];
        var function = "incr_" + library;
        await using var first = await TestCluster.ConnectAsync(silos[0]);
        await using var last = await TestCluster.ConnectAsync(silos[^1]);
        Assert.Equal(RedisReply.Bulk(library), await SendAsync(first, "FUNCTION", "LOAD", $"#!lua name={library}\nredis.register_function('{function}', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)"));

        var keys = Enumerable.Range(0, 12).Select(i => Key("fn" + i)).ToArray();
        foreach (var key in keys)
        {
            Assert.Equal(RedisReply.Integer(5), await SendAsync(last, "FCALL", function, "1", key, "5"));
            Assert.Equal(RedisReply.Bulk("5"), await SendAsync(first, "GET", key));
        }

        Assert.Equal(RedisReply.Ok, await SendAsync(last, "FUNCTION", "DELETE", library));
        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal("-ERR Function not found\r\n", await SendAsync(client, "FCALL", function, "1", keys[0], "1"));
        }
    }

    // MSET and MGET within a slot hold it: a reader through any gateway never sees one key of an
    // MSET written and the other not yet.
    [Fact(Timeout = Timeout)]
    public async Task MSetAndMGet_InOneSlot_NeverShowAHalfWrittenMSet()
    {
        var tag = "{" + Guid.NewGuid().ToString("N") + "}";
        string a = tag + "a", b = tag + "b";
        var silos = Cluster.LiveSilos;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var writers = silos.Select(async (silo, w) =>
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var value = w + ":" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(RedisReply.Ok, await SendAsync(client, "MSET", a, value, b, value));
            }
        }).ToList();
        var readers = silos.Select(async silo =>
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            var torn = new List<string>();
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                var reply = await SendAsync(client, "MGET", a, b);
                var parts = reply.Split("\r\n");
                if (parts.Length > 4 && parts[2] != parts[4])
                {
                    torn.Add(reply);
                }

                reads++;
            }

            return (torn, reads);
        }).ToList();
        await Task.WhenAll(writers);
        var results = await Task.WhenAll(readers);

        Assert.All(results, r => Assert.True(r.reads > 0));
        Assert.Empty(results.SelectMany(r => r.torn));
    }
}

using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>DBSIZE, KEYS, SCAN, INFO keyspace and FLUSHALL answer for the whole cluster, from any silo.</summary>
public abstract class ClusterKeyspaceTests(int silos) : IAsyncLifetime
{
    private const int Timeout = 90_000;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(silos);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact(Timeout = Timeout)]
    public async Task ClusterWideCommands_SeeEveryKey_FromEverySilo()
    {
        var silos = _cluster.LiveSilos;
        await using (var writer = await TestCluster.ConnectAsync(silos[0]))
        {
            var batch = new List<byte>();
            for (var i = 0; i < 1000; i++)
            {
                batch.AddRange(i % 4 == 0
                    ? RawRespConnection.EncodeCommand("SET", "ks:" + i, "v", "EX", "1000")
                    : RawRespConnection.EncodeCommand("SET", "ks:" + i, "v"));
            }

            await writer.WriteRawAsync([.. batch]);
            for (var i = 0; i < 1000; i++)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.ReadReplyAsync()));
            }
        }

        var expected = Enumerable.Range(0, 1000).Select(i => "ks:" + i).Order(StringComparer.Ordinal).ToList();
        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal(RedisReply.Integer(1000), Encoding.UTF8.GetString(await client.CommandAsync("DBSIZE")));
            Assert.Equal(expected, ParseArray(await client.CommandAsync("KEYS", "ks:*")).Order(StringComparer.Ordinal));

            // A full SCAN from any silo returns every key exactly once.
            var seen = new List<string>();
            var cursor = "0";
            var calls = 0;
            do
            {
                var (next, keys) = ParseScan(await client.CommandAsync("SCAN", cursor, "COUNT", "37"));
                seen.AddRange(keys);
                cursor = next;
            }
            while (cursor != "0" && ++calls < 10_000);
            Assert.Equal(expected, seen.Order(StringComparer.Ordinal));

            // One big step from 0 too (a walk that ends in one step answers cursor 0).
            var seenAtOnce = new List<string>();
            cursor = "0";
            calls = 0;
            do
            {
                var (next, keys) = ParseScan(await client.CommandAsync("SCAN", cursor, "COUNT", "100000"));
                seenAtOnce.AddRange(keys);
                cursor = next;
            }
            while (cursor != "0" && ++calls < 10_000);
            Assert.Equal(expected, seenAtOnce.Order(StringComparer.Ordinal));

            var keyspace = Encoding.UTF8.GetString(await client.CommandAsync("INFO", "keyspace"));
            Assert.Contains("db0:keys=1000,expires=250,", keyspace, StringComparison.Ordinal);
        }

        await using (var flusher = await TestCluster.ConnectAsync(silos[^1]))
        {
            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await flusher.CommandAsync("FLUSHALL")));
        }

        foreach (var silo in silos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            Assert.Equal(RedisReply.Integer(0), Encoding.UTF8.GetString(await client.CommandAsync("DBSIZE")));
            Assert.Equal(RedisReply.Nil, Encoding.UTF8.GetString(await client.CommandAsync("GET", "ks:1")));
        }
    }

    private static List<string> ParseArray(byte[] reply)
    {
        var lines = Encoding.UTF8.GetString(reply).Split("\r\n");
        var items = new List<string>();
        for (var i = 1; i < lines.Length - 1; i += 2)
        {
            items.Add(lines[i + 1]);
        }

        return items;
    }

    private static (string Cursor, List<string> Keys) ParseScan(byte[] reply)
    {
        // *2 $n cursor *m ($k key)...
        var lines = Encoding.UTF8.GetString(reply).Split("\r\n");
        var cursor = lines[2];
        var count = int.Parse(lines[3][1..], CultureInfo.InvariantCulture);
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(lines[5 + (i * 2)]);
        }

        return (cursor, keys);
    }
}

/// <summary>One silo: the cluster-wide commands must not count or list a key twice (a SCAN that did was found and fixed).</summary>
public sealed class SingleSiloKeyspaceTests() : ClusterKeyspaceTests(1);

/// <summary>Three silos.</summary>
public sealed class ThreeSiloKeyspaceTests() : ClusterKeyspaceTests(3);


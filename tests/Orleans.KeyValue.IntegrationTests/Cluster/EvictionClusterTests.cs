using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Eviction in a cluster of silo processes: a silo evicts only the keys it owns, and an evicted
/// key is gone from its backup too, so a crash of the silo does not bring it back.
/// </summary>
public sealed class EvictionClusterTests
{
    private const int Keys = 300;

    [Fact(Timeout = 180_000)]
    public async Task EvictedKeys_LeaveTheirBackupsToo_SoACrashDoesNotBringThemBack()
    {
        await using var cluster = await TestCluster.StartAsync(3, new TestClusterOptions { Processes = true, ExtraArguments = ["--maxmemory-policy", "allkeys-random"] });
        await cluster.WaitForBackupsFilledAsync();
        var prefix = "evict:" + Guid.NewGuid().ToString("N");
        await using (var writer = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            for (var i = 0; i < Keys; i++)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.CommandAsync("SET", $"{prefix}:{i}", "v")));
            }
        }

        // The last silo (not the embedded table's host) is set a limit it cannot get under. Writes
        // through the first silo to keys the last one owns are forwarded there: the owner evicts
        // every key it owns, then answers OOM; keys the others own are written.
        var victim = cluster.LiveSilos[^1];
        long evicted;
        await using (var connection = await TestCluster.ConnectAsync(victim))
        {
            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await connection.CommandAsync("CONFIG", "SET", "maxmemory", "1")));
            var refused = 0;
            await using (var other = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
            {
                for (var i = 0; i < 30; i++)
                {
                    var reply = Encoding.UTF8.GetString(await other.CommandAsync("SET", $"{prefix}:forwarded:{i}", "v"));
                    refused += reply.StartsWith("-OOM ", StringComparison.Ordinal) ? 1 : 0;
                    Assert.True(reply == RedisReply.Ok || reply.StartsWith("-OOM ", StringComparison.Ordinal), reply);
                }
            }

            Assert.InRange(refused, 1, 29);

            // And a write through the last silo itself is refused by its own check.
            Assert.StartsWith("-OOM ", Encoding.UTF8.GetString(await connection.CommandAsync("SET", prefix + ":more", "v")), StringComparison.Ordinal);
            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await connection.CommandAsync("CONFIG", "SET", "maxmemory", "0")));
            evicted = InfoField(Encoding.UTF8.GetString(await connection.CommandAsync("INFO", "stats")), "evicted_keys");
            Assert.Equal(Keys + 30 - refused - evicted, long.Parse(Encoding.UTF8.GetString(await connection.CommandAsync("DBSIZE"))[1..^2], CultureInfo.InvariantCulture));
        }

        Assert.InRange(evicted, 1, Keys - 1);
        long kept;
        await using (var reader = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            kept = long.Parse(Encoding.UTF8.GetString(await reader.CommandAsync("DBSIZE"))[1..^2], CultureInfo.InvariantCulture);
        }

        await cluster.KillSiloAsync(victim);
        await cluster.WaitForDeadAsync(victim);
        await cluster.WaitForStableMembershipAsync();
        await using (var reader = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            Assert.Equal(RedisReply.Integer(kept), Encoding.UTF8.GetString(await reader.CommandAsync("DBSIZE")));
        }
    }

    private static long InfoField(string info, string name) =>
        info.Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Select(l => long.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault(-1);
}

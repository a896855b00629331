using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Silos join, leave and die while a client keeps writing: a clean join or leave loses no
/// acknowledged key and no deadline; a killed silo is declared dead within the documented
/// time and its part of the keyspace is served again. Runs on every membership table.
/// </summary>
public abstract class ClusterMembershipTests
{
    private const int Timeout = 180_000;

    /// <summary>The documented detection time (3 missed probes of 1 s, then the votes) plus slack for a loaded machine.</summary>
    private static readonly TimeSpan DetectionLimit = TimeSpan.FromSeconds(15);

    protected abstract TestClusterOptions Options { get; }

    [Fact(Timeout = Timeout)]
    public async Task Join_UnderContinuousWrites_LosesNoKeyAndNoDeadline()
    {
        await using var cluster = await TestCluster.StartAsync(2, Options);
        await using var load = await ClusterLoad.StartAsync(cluster.LiveSilos[0], "join:" + Guid.NewGuid().ToString("N"));
        await load.WaitForAsync(500);
        await cluster.StartSiloAsync();
        var before = load.Acknowledged.Count;
        await load.WaitForAsync(before + 500);
        await cluster.WaitForStableMembershipAsync();
        await load.StopAsync();

        await AssertAllPresentAsync(cluster, load.Acknowledged);
        var info = await TestCluster.ClusterInfoAsync(cluster.LiveSilos[^1]);
        Assert.NotEqual("0", info["kv_handover_keys_received"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanLeave_UnderContinuousWrites_LosesNoKeyAndNoDeadline()
    {
        await using var cluster = await TestCluster.StartAsync(3, Options);
        await using var load = await ClusterLoad.StartAsync(cluster.LiveSilos[0], "leave:" + Guid.NewGuid().ToString("N"));
        await load.WaitForAsync(1000);
        await cluster.StopSiloAsync(cluster.LiveSilos[^1]);
        var before = load.Acknowledged.Count;
        await load.WaitForAsync(before + 500);
        await cluster.WaitForStableMembershipAsync();
        await load.StopAsync();

        Assert.Equal(2, cluster.LiveSilos.Count);
        await AssertAllPresentAsync(cluster, load.Acknowledged);
    }

    [Fact(Timeout = Timeout)]
    public async Task TwoSilosLeavingAtOnce_UnderContinuousWrites_LoseNoKeyAndNoDeadline()
    {
        // Each leaving silo may hand slots to the other before it hears that the other leaves
        // too: those come back refused and go on to the silo that stays.
        await using var cluster = await TestCluster.StartAsync(3, Options);
        await using var load = await ClusterLoad.StartAsync(cluster.LiveSilos[0], "leave2:" + Guid.NewGuid().ToString("N"));
        await load.WaitForAsync(1000);
        await Task.WhenAll(cluster.LiveSilos.Skip(1).ToList().Select(cluster.StopSiloAsync));
        var before = load.Acknowledged.Count;
        await load.WaitForAsync(before + 500);
        await cluster.WaitForStableMembershipAsync();
        await load.StopAsync();

        Assert.Single(cluster.LiveSilos);
        await AssertAllPresentAsync(cluster, load.Acknowledged);
    }

    [Fact(Timeout = Timeout)]
    public async Task KilledSilo_IsDeclaredDead_AndItsSlotsAreServedAgain()
    {
        await using var cluster = await TestCluster.StartAsync(3, Options);
        var keys = Enumerable.Range(0, 300).Select(i => "kill:" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        await using (var writer = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            foreach (var key in keys)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.CommandAsync("SET", key, "v")));
            }
        }

        // Not the first silo: with the embedded table it hosts the table.
        var victim = cluster.LiveSilos[^1];
        var clock = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        await WaitForDeadAsync(cluster, victim);
        var detected = clock.Elapsed;
        Assert.True(detected < DetectionLimit, $"detection took {detected}");
        await cluster.WaitForStableMembershipAsync();

        // Every key answers again (the victim's keys are gone, as documented); no command hangs.
        await using var client = await TestCluster.ConnectAsync(cluster.LiveSilos[1]);
        var present = 0;
        foreach (var key in keys)
        {
            var reply = Encoding.UTF8.GetString(await client.CommandAsync("GET", key));
            Assert.True(reply == RedisReply.Nil || reply == RedisReply.Bulk("v"), reply);
            present += reply == RedisReply.Nil ? 0 : 1;
            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await client.CommandAsync("SET", key, "again")));
        }

        Assert.InRange(present, 1, keys.Count - 1);
        Assert.Equal(RedisReply.Integer(keys.Count), Encoding.UTF8.GetString(await client.CommandAsync("DBSIZE")));
    }

    private static async Task WaitForDeadAsync(TestCluster cluster, TestSilo victim)
    {
        var clock = Stopwatch.StartNew();
        var seen = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var info = await TestCluster.ClusterInfoAsync(cluster.LiveSilos[0]);
            var row = info.Where(p => p.Key.StartsWith("silo_", StringComparison.Ordinal))
                .Select(p => p.Value)
                .FirstOrDefault(v => v.Contains("name=" + victim.Name + ",", StringComparison.Ordinal));
            seen = row ?? "(no row)";
            if (row is not null && row.Contains("status=dead", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{victim} was not declared dead: {seen}");
    }

    /// <summary>Every acknowledged key holds its value and a deadline, through every live silo.</summary>
    private static async Task AssertAllPresentAsync(TestCluster cluster, IReadOnlyList<string> keys)
    {
        Assert.NotEmpty(keys);
        foreach (var silo in cluster.LiveSilos)
        {
            await using var client = await TestCluster.ConnectAsync(silo);
            var batch = new List<byte>();
            foreach (var key in keys)
            {
                batch.AddRange(RawRespConnection.EncodeCommand("PTTL", key));
            }

            await client.WriteRawAsync([.. batch]);
            var missing = new List<string>();
            foreach (var key in keys)
            {
                var reply = Encoding.UTF8.GetString(await client.ReadReplyAsync());
                var ttl = long.Parse(reply.AsSpan(1, reply.Length - 3), CultureInfo.InvariantCulture);
                if (ttl <= 0 || ttl > ClusterLoad.TtlMs)
                {
                    missing.Add($"{key}: PTTL {ttl}");
                }
            }

            Assert.True(missing.Count == 0, $"{missing.Count} of {keys.Count} keys lost or without deadline through {silo}: {string.Join(", ", missing.Take(10))}");
        }
    }
}

/// <summary>The embedded table, silos in this process.</summary>
public sealed class EmbeddedClusterMembershipTests : ClusterMembershipTests
{
    protected override TestClusterOptions Options { get; } = new();
}

/// <summary>The embedded table, silos as processes: SIGTERM is the clean leave, kill -9 the crash.</summary>
public sealed class ProcessClusterMembershipTests : ClusterMembershipTests
{
    protected override TestClusterOptions Options { get; } = new() { Processes = true };
}

/// <summary>The PostgreSQL table (CI starts PostgreSQL; tools/postgres.sh locally), silos as processes.</summary>
public sealed class PostgresClusterMembershipTests : ClusterMembershipTests
{
    protected override TestClusterOptions Options { get; } = new() { Processes = true, Membership = "postgres" };
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;
using Xunit.Abstractions;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Silos join, leave and die while a client keeps writing: a clean join or leave loses no
/// acknowledged key and no deadline; a killed silo is declared dead within the documented
/// time and its part of the keyspace is served again. Runs on every membership table.
/// </summary>
public abstract class ClusterMembershipTests(ITestOutputHelper output)
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
    public async Task KilledSilo_IsDeclaredDead_AndItsKeysAreServedFromTheirCopies()
    {
        await using var cluster = await TestCluster.StartAsync(3, Options);
        await cluster.WaitForBackupsFilledAsync();
        var keys = Enumerable.Range(0, 300).Select(i => "kill:" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var kept = keys.Take(150).ToList();
        await using (var writer = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            // FLUSHALL empties the copies too: keys flushed before the crash do not come back.
            foreach (var key in keys)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.CommandAsync("SET", key, "flushed")));
            }

            Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.CommandAsync("FLUSHALL")));
            foreach (var key in kept)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await writer.CommandAsync("SET", key, "v")));
            }
        }

        // Not the first silo: with the embedded table it hosts the table.
        var victim = cluster.LiveSilos[^1];
        var clock = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        await cluster.WaitForDeadAsync(victim);
        var detected = clock.Elapsed;
        Assert.True(detected < DetectionLimit, $"detection took {detected}");
        await cluster.WaitForStableMembershipAsync();

        // Every key is there (the victim's from the copies on their backups); no command hangs.
        await using var client = await TestCluster.ConnectAsync(cluster.LiveSilos[1]);
        foreach (var key in keys)
        {
            Assert.Equal(kept.Contains(key) ? RedisReply.Bulk("v") : RedisReply.Nil, Encoding.UTF8.GetString(await client.CommandAsync("GET", key)));
        }

        Assert.Equal(RedisReply.Integer(kept.Count), Encoding.UTF8.GetString(await client.CommandAsync("DBSIZE")));
        var promoted = (await TestCluster.ClusterInfoAsync(cluster.LiveSilos[0]))["kv_keys_promoted"];
        promoted = (long.Parse(promoted, CultureInfo.InvariantCulture) + long.Parse((await TestCluster.ClusterInfoAsync(cluster.LiveSilos[1]))["kv_keys_promoted"], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
        Assert.NotEqual("0", promoted);
    }

    [Fact(Timeout = Timeout)]
    public async Task KilledSilos_OneAfterAnother_UnderContinuousWrites_LoseNoAcknowledgedWrite()
    {
        await using var cluster = await TestCluster.StartAsync(3, Options);
        await cluster.WaitForBackupsFilledAsync();
        var prefix = "crash:" + Guid.NewGuid().ToString("N");

        // Three clients through the two silos that survive the first crash (the first silo
        // hosts the embedded table and survives both); their keys live on all three.
        var survivor = cluster.LiveSilos[0];
        var second = cluster.LiveSilos[1];
        await using var loadA = await ClusterLoad.StartAsync(survivor, prefix + ":a");
        await using var loadB = await ClusterLoad.StartAsync(survivor, prefix + ":b");
        await using var loadC = await ClusterLoad.StartAsync(second, prefix + ":c");
        ClusterLoad[] loads = [loadA, loadB, loadC];
        await Task.WhenAll(loads.Select(l => l.WaitForAsync(300)));

        var killed = Stopwatch.GetTimestamp();
        await cluster.KillSiloAsync(cluster.LiveSilos[2]);
        await Task.WhenAll(loads.Select(l => l.WaitForAsync(l.Acknowledged.Count + 300)));
        var stall = loads.Max(l => l.LongestStallSince(killed));
        output.WriteLine($"first crash: writes stalled at most {stall.TotalMilliseconds:F0} ms");
        Assert.True(stall < DetectionLimit + TimeSpan.FromSeconds(5), $"writes stalled {stall} after the crash");
        await cluster.WaitForStableMembershipAsync();

        // The new backups are filled in the background; then a second crash loses nothing either.
        var filling = Stopwatch.StartNew();
        await cluster.WaitForBackupsFilledAsync();
        output.WriteLine($"backups filled again {filling.ElapsedMilliseconds} ms after the membership settled");
        await loadC.StopAsync();
        killed = Stopwatch.GetTimestamp();
        await cluster.KillSiloAsync(second);
        await Task.WhenAll(new[] { loadA, loadB }.Select(l => l.WaitForAsync(l.Acknowledged.Count + 300)));
        output.WriteLine($"second crash: writes stalled at most {new[] { loadA, loadB }.Max(l => l.LongestStallSince(killed)).TotalMilliseconds:F0} ms");
        await loadA.StopAsync();
        await loadB.StopAsync();

        Assert.Single(cluster.LiveSilos);
        await AssertAllPresentAsync(cluster, [.. loads.SelectMany(l => l.Acknowledged)]);
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
public sealed class EmbeddedClusterMembershipTests(ITestOutputHelper output) : ClusterMembershipTests(output)
{
    protected override TestClusterOptions Options { get; } = new();
}

/// <summary>The embedded table, silos as processes: SIGTERM is the clean leave, kill -9 the crash.</summary>
public sealed class ProcessClusterMembershipTests(ITestOutputHelper output) : ClusterMembershipTests(output)
{
    protected override TestClusterOptions Options { get; } = new() { Processes = true };
}

/// <summary>The PostgreSQL table (CI starts PostgreSQL; tools/postgres.sh locally), silos as processes.</summary>
public sealed class PostgresClusterMembershipTests(ITestOutputHelper output) : ClusterMembershipTests(output)
{
    protected override TestClusterOptions Options { get; } = new() { Processes = true, Membership = "postgres" };
}

using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// One owner at a time: a silo paused (SIGSTOP) past failure detection is declared dead and its
/// slots are served from their copies; resumed, it still has its old view and its clients'
/// commands queued in its sockets. It must acknowledge no write for a slot it no longer owns
/// (its backup refuses the old epoch) and answer no read with a value the cluster has replaced
/// (its read lease ran out).
/// </summary>
public sealed class PausedSiloTests
{
    private const int Timeout = 180_000;
    private const int KeyCount = 120;

    [Fact(Timeout = Timeout)]
    public async Task PausedSilo_DeclaredDeadAndResumed_AcknowledgesNoWriteAndServesNoStaleRead()
    {
        await using var cluster = await TestCluster.StartAsync(3, new TestClusterOptions { Processes = true });
        await cluster.WaitForBackupsFilledAsync();
        var prefix = "pause:" + Guid.NewGuid().ToString("N") + ":";
        var keys = Enumerable.Range(0, KeyCount).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var survivor = cluster.LiveSilos[0];
        var victim = cluster.LiveSilos[2];
        await using (var client = await TestCluster.ConnectAsync(survivor))
        {
            foreach (var key in keys)
            {
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await client.CommandAsync("SET", key, "before")));
            }
        }

        // A client of the victim queues, while it is paused, a write and then a read of every key.
        await using var stale = await RawRespConnection.ConnectAsync(victim.GatewayPort, readTimeout: TimeSpan.FromSeconds(30));
        TestCluster.Pause(victim);
        var queued = new List<byte>();
        for (var i = 0; i < keys.Count; i++)
        {
            queued.AddRange(RawRespConnection.EncodeCommand("SET", keys[i], "stale" + i.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var key in keys)
        {
            queued.AddRange(RawRespConnection.EncodeCommand("GET", key));
        }

        await stale.WriteRawAsync([.. queued]);

        // Declared dead: the others serve its keys from their copies and take new writes.
        await cluster.WaitForDeadAsync(victim);
        victim.IsAlive = false;
        await cluster.WaitForStableMembershipAsync();
        await using (var client = await TestCluster.ConnectAsync(survivor))
        {
            foreach (var key in keys)
            {
                Assert.Equal(RedisReply.Bulk("before"), Encoding.UTF8.GetString(await client.CommandAsync("GET", key)));
                Assert.Equal(RedisReply.Ok, Encoding.UTF8.GetString(await client.CommandAsync("SET", key, "after")));
            }
        }

        // Resumed: whatever it still answers before Orleans stops it must be true of the cluster.
        TestCluster.Resume(victim);
        var writes = new string?[keys.Count];
        var reads = new string?[keys.Count];
        try
        {
            for (var i = 0; i < keys.Count; i++)
            {
                writes[i] = Encoding.UTF8.GetString(await stale.ReadReplyAsync());
            }

            for (var i = 0; i < keys.Count; i++)
            {
                reads[i] = Encoding.UTF8.GetString(await stale.ReadReplyAsync());
            }
        }
        catch (Exception exception) when (exception is IOException or EndOfStreamException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // Orleans stopped the silo once it read that it was declared dead: the rest is unknown.
        }

        await using var reader = await TestCluster.ConnectAsync(survivor);
        var problems = new List<string>();
        var acknowledged = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var mine = "stale" + i.ToString(CultureInfo.InvariantCulture);
            var final = Encoding.UTF8.GetString(await reader.CommandAsync("GET", keys[i]));
            var written = writes[i] == RedisReply.Ok;
            var unknown = writes[i] is null || writes[i]!.StartsWith("-NOREPLICAS The backup", StringComparison.Ordinal);
            acknowledged += written ? 1 : 0;

            // An acknowledged write is the key's value now (nobody wrote it since); a refused one is not.
            if (written && final != RedisReply.Bulk(mine))
            {
                problems.Add($"{keys[i]}: write acknowledged by the resumed silo, but the cluster holds {final.TrimEnd()}");
            }

            if (!written && !unknown && final != RedisReply.Bulk("after"))
            {
                problems.Add($"{keys[i]}: write refused ({writes[i]!.TrimEnd()}) yet the cluster holds {final.TrimEnd()}");
            }

            // A read it answered saw the value the cluster had at that moment.
            if (reads[i] is { } read && !read.StartsWith('-') && read != final && !(unknown && (read == RedisReply.Bulk("after") || read == RedisReply.Bulk(mine))))
            {
                problems.Add($"{keys[i]}: the resumed silo read {read.TrimEnd()}, the cluster holds {final.TrimEnd()}");
            }
        }

        if (victim.Process is { HasExited: false } process)
        {
            // Orleans stops a silo that finds itself declared dead; do not leave one behind if it has not yet.
            process.Kill();
        }

        Assert.True(problems.Count == 0, $"{problems.Count} problems ({acknowledged} writes acknowledged by the resumed silo):\n{string.Join("\n", problems.Take(20))}\n{cluster.Logs()}");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Orleans.KeyValue.Client;
using Xunit.Abstractions;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Lock trials: clients contend for a dozen locks (so that the silos killed and paused own some of
/// their keys and counters) through the SDK (SET NX PX, a fencing counter,
/// compare-and-delete) while silo processes are killed, paused past failure detection and
/// joined. A protected resource per lock takes every write its holders send and checks, after
/// the fact, what fencing is for: no two grants with one fencing token, no two clients holding
/// the same lock at once, and no write with a lower token than one already written. With the
/// backup copies, a crash loses neither a lock key nor a counter, so all three stay 0.
/// </summary>
public sealed class LockTrialTests(ITestOutputHelper output)
{
    private const int Timeout = 300_000;
    private const int Clients = 8;
    private const int Locks = 12;
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    // A holder writes only while its lock has this much validity left (it cannot stop a write
    // already started, as no real holder can).
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the trial runs (KV_LOCK_TRIAL_SECONDS, default 40).</summary>
    private static TimeSpan Duration => TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("KV_LOCK_TRIAL_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 40);

    // Before the fill fix (SlotTable.BeginFillAsync gives way) 1 run in 4-6 saw a fence counter
    // restart: a fill had hung on its slot, the silo filled no backup after the join, and the
    // pause promoted an incomplete copy. On a failure it prints the grants and the silos' logs.
    [Fact(Timeout = Timeout)]
    public async Task LockTrial_WithKillsPausesAndJoins_NoOverlapNoReusedTokenNoWriteOutOfOrder()
    {
        // KV_LOCK_TRIAL_ARGS adds silo flags (say "--replicas 0", to see the trial fail without the copies).
        var extra = Environment.GetEnvironmentVariable("KV_LOCK_TRIAL_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        await using var cluster = await TestCluster.StartAsync(4, new TestClusterOptions { Processes = true, ExtraArguments = extra });
        await cluster.WaitForBackupsFilledAsync();
        var prefix = "trial:" + Guid.NewGuid().ToString("N") + ":";
        var resources = Enumerable.Range(0, Locks).Select(i => new FencedResource(prefix + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        using var stop = new CancellationTokenSource(Duration);
        var errors = new ConcurrentDictionary<string, int>();
        var clients = new List<KeyValueClient>();
        try
        {
            for (var c = 0; c < Clients; c++)
            {
                var options = new KeyValueClientOptions { CommandTimeout = TimeSpan.FromSeconds(3), ClusterMapRefreshInterval = TimeSpan.FromSeconds(1) };
                foreach (var silo in cluster.LiveSilos.Skip(c % 4).Concat(cluster.LiveSilos.Take(c % 4)))
                {
                    options.Endpoints.Add("127.0.0.1:" + silo.GatewayPort.ToString(CultureInfo.InvariantCulture));
                }

                clients.Add(await KeyValueClient.ConnectAsync(options));
            }

            var faults = RunFaultsAsync(cluster, stop.Token);
            await Task.WhenAll(clients.Select((client, c) => ContendAsync(client, c, resources, errors, stop.Token)));
            var schedule = await faults;
            output.WriteLine(schedule);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        var grants = resources.Sum(r => r.Grants);
        var overlaps = resources.Sum(r => r.Overlaps());
        var reused = resources.Sum(r => r.ReusedTokens());
        var outOfOrder = resources.Sum(r => r.WritesOutOfOrder);
        output.WriteLine($"{Duration.TotalSeconds:F0} s, {Clients} clients, {Locks} locks: {grants} grants, {resources.Sum(r => r.Writes)} writes, {overlaps} lease overlaps, {reused} fencing tokens granted twice, {outOfOrder} writes out of token order");
        output.WriteLine("client errors: " + string.Join("; ", errors.OrderByDescending(e => e.Value).Take(8).Select(e => $"{e.Value}x {e.Key}")));
        if (reused > 0 || overlaps > 0 || outOfOrder > 0)
        {
            // What the resources saw, and what the silos logged, to find the failover that did it.
            foreach (var resource in resources.Where(r => r.ReusedTokens() > 0))
            {
                output.WriteLine($"{resource.Name} (fence slot {Orleans.KeyValue.Resp.KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(KeyValueClient.FenceKey(resource.Name)))}): {resource.Describe()}");
            }

            foreach (var silo in cluster.Silos)
            {
                output.WriteLine($"--- {silo.Name} ---");
                output.WriteLine(silo.Output.ToString());
            }
        }

        Assert.True(grants >= 20, $"only {grants} grants");
        Assert.Equal(0, overlaps);
        Assert.Equal(0, reused);
        Assert.Equal(0, outOfOrder);
    }

    private static async Task ContendAsync(KeyValueClient client, int id, FencedResource[] resources, ConcurrentDictionary<string, int> errors, CancellationToken stop)
    {
        var random = new Random(id);
        while (!stop.IsCancellationRequested)
        {
            var resource = resources[random.Next(resources.Length)];
            try
            {
                var held = await client.TryAcquireLockAsync(resource.Name, Ttl, TimeSpan.FromMilliseconds(500), stop);
                if (held is null)
                {
                    continue;
                }

                var acquired = Stopwatch.GetTimestamp();
                resource.Granted(held.FencingToken, id);
                var holdsUntil = acquired;
                for (var write = 0; write < 2 && DateTimeOffset.UtcNow < held.ValidUntil - Margin; write++)
                {
                    resource.Write(held.FencingToken);
                    holdsUntil = Stopwatch.GetTimestamp();
                    await Task.Delay(random.Next(5, 30), stop);
                }

                resource.Held(acquired, holdsUntil, id);
                await held.ReleaseAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is KeyValueException or TimeoutException or IOException)
            {
                // A failover under way (TRYAGAIN, a backup that did not answer, a gateway gone):
                // back off and try again, as a real client would.
                errors.AddOrUpdate(exception.GetType().Name + ": " + exception.Message[..Math.Min(60, exception.Message.Length)], 1, (_, n) => n + 1);
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static async Task<string> RunFaultsAsync(TestCluster cluster, CancellationToken stop)
    {
        var log = new List<string>();
        var clock = Stopwatch.StartNew();
        var third = Duration / 5;
        try
        {
            // The first silo hosts the embedded table: it stays. The others crash, pause and join.
            await Task.Delay(third, stop);
            var victim = cluster.LiveSilos[^1];
            await cluster.KillSiloAsync(victim);
            log.Add($"{clock.Elapsed.TotalSeconds:F1}s ({DateTime.UtcNow:HH:mm:ss.fff}) kill -9 {victim.Name}");
            await Task.Delay(third, stop);
            var joined = await cluster.StartSiloAsync();
            log.Add($"{clock.Elapsed.TotalSeconds:F1}s ({DateTime.UtcNow:HH:mm:ss.fff}) joined {joined.Name}");
            await Task.Delay(third, stop);
            var paused = cluster.LiveSilos[1];
            TestCluster.Pause(paused);
            log.Add($"{clock.Elapsed.TotalSeconds:F1}s ({DateTime.UtcNow:HH:mm:ss.fff}) SIGSTOP {paused.Name}");
            await cluster.WaitForDeadAsync(paused);
            paused.IsAlive = false;
            TestCluster.Resume(paused);
            log.Add($"{clock.Elapsed.TotalSeconds:F1}s ({DateTime.UtcNow:HH:mm:ss.fff}) {paused.Name} declared dead, SIGCONT");
            if (paused.Process is { } process && !process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.Add($"{clock.Elapsed.TotalSeconds:F1}s ({DateTime.UtcNow:HH:mm:ss.fff}) trial over");
        }

        return string.Join(", ", log);
    }

    /// <summary>
    /// The protected resource: takes every write and records it, so that what fencing must
    /// prevent can be counted afterwards.
    /// </summary>
    private sealed class FencedResource(string name)
    {
        private readonly Lock _gate = new();
        private readonly List<long> _grants = [];
        private readonly List<(long Token, int Client, DateTime At)> _granted = [];
        private readonly List<(long From, long To, int Client)> _holds = [];
        private long _highest;

        public string Name { get; } = name;

        public int Grants
        {
            get
            {
                lock (_gate)
                {
                    return _grants.Count;
                }
            }
        }

        public int Writes { get; private set; }

        public int WritesOutOfOrder { get; private set; }

        public void Granted(long token, int client)
        {
            lock (_gate)
            {
                _grants.Add(token);
                _granted.Add((token, client, DateTime.UtcNow));
            }
        }

        public void Write(long token)
        {
            lock (_gate)
            {
                Writes++;
                if (token < _highest)
                {
                    WritesOutOfOrder++;
                }

                _highest = Math.Max(_highest, token);
            }
        }

        public void Held(long from, long to, int client)
        {
            lock (_gate)
            {
                _holds.Add((from, to, client));
            }
        }

        public int ReusedTokens()
        {
            lock (_gate)
            {
                return _grants.Count - _grants.Distinct().Count();
            }
        }

        /// <summary>The grants of tokens granted more than once, with their clients and times.</summary>
        public string Describe()
        {
            lock (_gate)
            {
                var twice = _grants.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
                return string.Join(", ", _granted.Where(g => twice.Contains(g.Token) || twice.Contains(g.Token + 1) || twice.Contains(g.Token - 1))
                    .Select(g => $"{g.Token} to c{g.Client} at {g.At:HH:mm:ss.fff}"));
            }
        }

        public int Overlaps()
        {
            lock (_gate)
            {
                var overlaps = 0;
                var heldUntil = long.MinValue;
                foreach (var hold in _holds.OrderBy(h => h.From))
                {
                    if (hold.From < heldUntil)
                    {
                        overlaps++;
                    }

                    heldUntil = Math.Max(heldUntil, hold.To);
                }

                return overlaps;
            }
        }
    }
}

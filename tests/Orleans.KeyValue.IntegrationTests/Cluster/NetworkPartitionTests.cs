using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Three silo processes on three test hosts (network namespaces with their own addresses):
/// cut one off: it acknowledges no write from the first moment, the others declare it dead and
/// serve its keys from their copies while it refuses them; join it
/// back and it stops (declared dead), and, started again, returns as a new generation.
/// </summary>
public sealed class NetworkPartitionTests
{
    private const int Timeout = 240_000;

    [Fact(Timeout = Timeout)]
    public async Task CutOffSilo_IsDeclaredDead_AndRejoinsAsANewGeneration()
    {
        await using var topology = await NetworkNamespaceTopology.CreateAsync(3);
        var output = new StringBuilder();
        var processes = new Process[3];
        for (var i = 0; i < 3; i++)
        {
            processes[i] = topology.Start(i, output, "dotnet", topology.SiloArguments(i));
            await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(i)).Contains("kv_silos_active:" + (i + 1), StringComparison.Ordinal), output, "host" + i + " joined");
        }

        // Keys everywhere, written through host 1.
        for (var k = 0; k < 100; k++)
        {
            Assert.Equal("OK\n", (await CliAsync(topology, 1, "SET", "part:" + k, "v")).StandardOutput);
        }

        var clock = Stopwatch.StartNew();
        await topology.CutAsync(2);

        // At once, before anyone has noticed the cut: the cut-off silo acknowledges no write. Its
        // own slots' backups cannot be reached, and the other slots' owners neither.
        for (var k = 0; k < 4; k++)
        {
            var reply = (await CliAsync(topology, 2, "SET", "part:" + k, "cut")).StandardOutput;
            Assert.NotEqual("OK\n", reply);
        }

        await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(0)).Contains("kv_silos_active:2", StringComparison.Ordinal), output, "host2 declared dead");
        var detected = clock.Elapsed;
        Assert.True(detected < TimeSpan.FromSeconds(20), $"detection took {detected}");
        var info = await topology.ClusterInfoAsync(0);
        Assert.Matches("silo_\\d:name=host2,[^\\r]*status=dead", info);

        // The host that was cut off knows it is isolated and refuses key commands (retryable)
        // instead of taking writes that the others, who now own its keys, would never see.
        await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(2)).Contains("kv_serving:0", StringComparison.Ordinal), output, "host2 isolated");
        Assert.StartsWith("TRYAGAIN", (await CliAsync(topology, 2, "SET", "part:0", "lost")).StandardOutput, StringComparison.Ordinal);

        // The others serve every key again, host 2's part from its copies, and accept writes.
        for (var k = 0; k < 100; k++)
        {
            Assert.Equal("v\n", (await CliAsync(topology, 1, "GET", "part:" + k)).StandardOutput);
        }

        for (var k = 0; k < 100; k++)
        {
            Assert.Equal("OK\n", (await CliAsync(topology, 1, "SET", "part:" + k, "again")).StandardOutput);
        }

        // Healed, the cut-off silo reads the membership table, finds itself declared dead, and
        // Orleans stops its process; its supervisor (here the test) starts it again, and it
        // joins as a new generation.
        await topology.HealAsync(2);
        using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await processes[2].WaitForExitAsync(exited.Token);
        }

        processes[2] = topology.Start(2, output, "dotnet", topology.SiloArguments(2));
        await NetworkNamespaceTopology.WaitUntilAsync(
            async () =>
            {
                var now = await topology.ClusterInfoAsync(0);
                return now.Contains("kv_silos_active:3", StringComparison.Ordinal)
                    && System.Text.RegularExpressions.Regex.IsMatch(now, "name=host2,[^\\r]*status=active");
            },
            output,
            "host2 rejoined");
        info = await topology.ClusterInfoAsync(0);
        var generations = System.Text.RegularExpressions.Regex.Matches(info, "name=host2,[^\\r]*generation=(\\d+),status=(\\w+)")
            .Select(m => (Generation: long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Status: m.Groups[2].Value))
            .ToList();
        Assert.Equal(2, generations.Count);
        var dead = generations.Single(g => g.Status == "dead");
        var active = generations.Single(g => g.Status == "active");
        Assert.True(active.Generation > dead.Generation, info);

        // Back to a whole cluster: every key readable through the host that was cut off.
        await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(2)).Contains("kv_slots_waiting:0", StringComparison.Ordinal), output, "host2 settled");
        var wrong = new List<string>();
        for (var k = 0; k < 100; k++)
        {
            var value = (await CliAsync(topology, 2, "GET", "part:" + k)).StandardOutput;
            if (value != "again\n")
            {
                wrong.Add($"part:{k}={value.TrimEnd()}");
            }
        }

        if (wrong.Count > 0)
        {
            var hostInfo = await topology.ClusterInfoAsync(2);
            lock (output)
            {
                Assert.Fail($"{wrong.Count} keys wrong through host2: {string.Join(", ", wrong.Take(10))}\n{hostInfo}\n{output}");
            }
        }
    }

    private static Task<Orleans.KeyValue.Testing.ProcessResult> CliAsync(NetworkNamespaceTopology topology, int host, params string[] command) =>
        topology.RunAsync(host, "redis-cli", ["-h", topology.Address(host), "-p", "6379", .. command]);
}

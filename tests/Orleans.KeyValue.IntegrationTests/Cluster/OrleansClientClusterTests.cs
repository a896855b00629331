using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Client;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// The Orleans client path against a real 3-silo cluster: <c>kv --orleans</c> as a process of
/// its own, through one silo's Orleans gateway, and RESP clients on the same keys, spread over
/// every silo by slot.
/// </summary>
public sealed class OrleansClientClusterTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task KvOrleans_AndResp_SeeTheSameKeys_OnEverySilo()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var gateway = "127.0.0.1:" + cluster.LiveSilos[0].OrleansGatewayPort.ToString(CultureInfo.InvariantCulture);
        Task<ProcessResult> Kv(params string[] args) => ProcessRunner.RunAsync(
            "dotnet",
            [KvTool.Path, "--orleans", "--gateways", gateway, "--cluster-id", cluster.ClusterId, .. args],
            TimeSpan.FromSeconds(60));

        // The lock pattern through Orleans; redis-cli (RESP, another silo) sees value and PTTL.
        var set = await Kv("set", "lock:x", "token-1", "--nx", "--px", "30000");
        Assert.Equal((0, "OK\n"), (set.ExitCode, set.StandardOutput));
        Assert.Equal((1, "(nil)\n"), ((await Kv("set", "lock:x", "token-2", "--nx", "--px", "30000")) is var again ? again.ExitCode : -1, again.StandardOutput));
        var resp = cluster.LiveSilos[2].GatewayPort.ToString(CultureInfo.InvariantCulture);
        var value = await ProcessRunner.RunAsync("redis-cli", ["-p", resp, "GET", "lock:x"], TimeSpan.FromSeconds(30));
        Assert.Equal("token-1\n", value.StandardOutput);
        var pttl = await ProcessRunner.RunAsync("redis-cli", ["-p", resp, "PTTL", "lock:x"], TimeSpan.FromSeconds(30));
        Assert.InRange(long.Parse(pttl.StandardOutput, CultureInfo.InvariantCulture), 1, 30_000);

        // Keys written over RESP (through another silo, landing on every silo by slot) read back
        // through Orleans.
        await using (var client = await TestCluster.ConnectAsync(cluster.LiveSilos[1]))
        {
            for (var i = 0; i < 12; i++)
            {
                await client.CommandAsync("SET", "via:resp:" + i.ToString(CultureInfo.InvariantCulture), "v" + i.ToString(CultureInfo.InvariantCulture));
            }
        }

        for (var i = 0; i < 12; i++)
        {
            var get = await Kv("get", "via:resp:" + i.ToString(CultureInfo.InvariantCulture));
            Assert.Equal((0, "v" + i.ToString(CultureInfo.InvariantCulture) + "\n"), (get.ExitCode, get.StandardOutput));
        }
    }
}

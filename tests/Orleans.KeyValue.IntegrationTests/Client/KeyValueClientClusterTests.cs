using System.Globalization;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.IntegrationTests.Cluster;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>The SDK on a 3-silo cluster: cluster-aware routing, and failover when its gateway leaves.</summary>
public sealed class KeyValueClientClusterTests
{
    private const int Timeout = 120_000;

    private static KeyValueClientOptions Options(TestCluster cluster, bool routing)
    {
        var options = new KeyValueClientOptions { ClusterRouting = routing, ClusterMapRefreshInterval = TimeSpan.FromMilliseconds(200) };
        foreach (var silo in cluster.LiveSilos)
        {
            options.Endpoints.Add("127.0.0.1:" + silo.GatewayPort.ToString(CultureInfo.InvariantCulture));
        }

        return options;
    }

    [Fact(Timeout = Timeout)]
    public async Task ClusterRouting_SendsCommandsToTheKeysOwner()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await using var client = await KeyValueClient.ConnectAsync(Options(cluster, routing: true));
        var keys = Enumerable.Range(0, 300).Select(i => "routed:" + i.ToString(CultureInfo.InvariantCulture)).ToList();

        // The first calls read the slot map; poll until commands go straight to owners.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (client.RoutedCommands == 0 && DateTime.UtcNow < deadline)
        {
            await client.SetAsync(keys[0], "v");
            await Task.Delay(20);
        }

        var forwardedBefore = await ForwardedAsync(cluster);
        foreach (var key in keys)
        {
            Assert.True(await client.SetAsync(key, key));
            Assert.Equal(key, await client.GetStringAsync(key));
        }

        Assert.True(client.RoutedCommands > 200, $"only {client.RoutedCommands} commands went straight to their owner");

        // Straight to the owner: the silos forwarded (almost) nothing.
        Assert.InRange(await ForwardedAsync(cluster) - forwardedBefore, 0, 10);
    }

    [Fact(Timeout = Timeout)]
    public async Task GatewayLeaving_ClientFailsOverAndKeepsItsData()
    {
        await using var cluster = await TestCluster.StartAsync(3);

        // Not the first silo: with the embedded table it hosts the table, and without it no
        // membership change could complete (the README's documented limit).
        var options = Options(cluster, routing: false);
        options.Endpoints.RemoveAt(0);
        options.Endpoints.Add("127.0.0.1:" + cluster.LiveSilos[0].GatewayPort.ToString(CultureInfo.InvariantCulture));
        await using var client = await KeyValueClient.ConnectAsync(options);
        var gateway = cluster.LiveSilos.Single(s => client.CurrentEndpoint!.EndsWith(":" + s.GatewayPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        for (var i = 0; i < 100; i++)
        {
            await client.SetAsync("failover:" + i.ToString(CultureInfo.InvariantCulture), "v");
        }

        await cluster.StopSiloAsync(gateway);
        await cluster.WaitForStableMembershipAsync();

        // The first call after the gateway left may fail (it may have run); then the client is on another gateway.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await client.PingAsync();
                break;
            }
            catch (KeyValueConnectionException)
            {
            }
        }

        Assert.NotEqual("127.0.0.1:" + gateway.GatewayPort.ToString(CultureInfo.InvariantCulture), client.CurrentEndpoint);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("v", await client.GetStringAsync("failover:" + i.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static async Task<long> ForwardedAsync(TestCluster cluster)
    {
        long total = 0;
        foreach (var silo in cluster.LiveSilos)
        {
            total += long.Parse((await TestCluster.ClusterInfoAsync(silo))["kv_commands_forwarded"], CultureInfo.InvariantCulture);
        }

        return total;
    }
}

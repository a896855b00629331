using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>Function libraries reach every silo: those active at FUNCTION LOAD, and one that joins later.</summary>
public sealed class FunctionJoinTests
{
    private const int Timeout = 120_000;

    [Fact(Timeout = Timeout)]
    public async Task SiloThatJoinsAfterFunctionLoad_RunsTheFunctionsForTheKeysItTakesOver()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        await using (var first = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            var code = "#!lua name=joinlib\nredis.register_function('joinfn', function(keys, args) return redis.call('SET', keys[1], args[1]) end)";
            Assert.Equal("$7\r\njoinlib\r\n", Encoding.UTF8.GetString(await first.CommandAsync("FUNCTION", "LOAD", code)));
        }

        var joined = await cluster.AddSiloAsync();
        await using var client = await TestCluster.ConnectAsync(joined);

        // Through the new silo, keys of every silo (it owns about a third of them now).
        Assert.Contains("joinfn", Encoding.UTF8.GetString(await client.CommandAsync("FUNCTION", "LIST")), StringComparison.Ordinal);
        for (var i = 0; i < 40; i++)
        {
            var key = "join:" + i.ToString(CultureInfo.InvariantCulture);
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await client.CommandAsync("FCALL", "joinfn", "1", key, "v")));
        }
    }
}

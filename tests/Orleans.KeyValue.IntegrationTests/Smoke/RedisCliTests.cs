using Orleans.KeyValue.IntegrationTests.Fixtures;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>
/// redis-cli against the server under test. Its output is the raw format it uses when stdout is
/// not a terminal: one line per reply, nil as an empty line.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class RedisCliTests(DifferentialServersFixture servers)
{
    private static string Key(string name) => $"cli:{Guid.NewGuid():N}:{name}";

    private Task<string> CliAsync(params string[] arguments) => ExternalClients.RedisCliAsync(servers.UnderTest.Port, arguments);

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_SetGetDel_Work()
    {
        var key = Key("k");
        Assert.Equal("OK\n", await CliAsync("SET", key, "hello world"));
        Assert.Equal("hello world\n", await CliAsync("GET", key));
        Assert.Equal("1\n", await CliAsync("DEL", key));
        Assert.Equal("\n", await CliAsync("GET", key));
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_SetNxPx_AcquiresOnlyOnce()
    {
        var key = Key("lock");
        Assert.Equal("OK\n", await CliAsync("SET", key, "token-1", "NX", "PX", "100000"));
        Assert.Equal("\n", await CliAsync("SET", key, "token-2", "NX", "PX", "100000"));
        Assert.Equal("token-1\n", await CliAsync("GET", key));
        // Each redis-cli run is a process start; on a loaded machine seconds may pass between them.
        var ttl = int.Parse((await CliAsync("TTL", key)).TrimEnd('\n'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 60, 100);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_Eval_RunsScripts()
    {
        var key = Key("resource");
        const string Unlock = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";
        Assert.Equal("1\n", await CliAsync("EVAL", "return 1", "0"));
        Assert.Equal("1\n2\nx\n", await CliAsync("EVAL", "return {1,2,'x'}", "0"));
        Assert.Equal("OK\n", await CliAsync("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", key, "token"));
        Assert.Equal("token\n", await CliAsync("EVAL", "return redis.call('get', KEYS[1])", "1", key));
        Assert.Equal("0\n", await CliAsync("EVAL", Unlock, "1", key, "wrong"));
        Assert.Equal("1\n", await CliAsync("EVAL", Unlock, "1", key, "token"));
        Assert.Equal("0\n", await CliAsync("EXISTS", key));
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_CommandsOnStandardInput_AllRun()
    {
        var key = Key("batch");
        var commands = $"SET {key} 1\nGET {key}\nSET {key} 2 XX GET\nGET {key}\nDEL {key}\nGET {key}\n";
        var output = await ExternalClients.RedisCliAsync(servers.UnderTest.Port, [], commands);
        Assert.Equal("OK\n1\n1\n2\n1\n\n", output);
    }
}

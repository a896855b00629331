using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>
/// <c>kv --orleans</c> as a user runs it: a process of its own, from kv's build folder, reaching
/// the key grains through a silo's Orleans gateway; output and exit codes as over RESP.
/// </summary>
public sealed class KvToolOrleansTests(OrleansKeyGrainSilo silo) : IClassFixture<OrleansKeyGrainSilo>
{
    private const int Timeout = 120_000;

    private Task<ProcessResult> KvAsync(params string[] args) =>
        ProcessRunner.RunAsync(
            "dotnet",
            [KvTool.Path, "--orleans", "--gateways", silo.Gateway, "--cluster-id", silo.ClusterId, .. args],
            TimeSpan.FromSeconds(60));

    private static string Key(string name) => $"{name}:{Guid.NewGuid():N}";

    [Fact(Timeout = Timeout)]
    public async Task LockPattern_SetNxPx_GetTtl_PrintAsOverResp()
    {
        var key = Key("lock:x");
        var set = await KvAsync("set", key, "token", "--nx", "--px", "30000");
        Assert.Equal((0, "OK\n", ""), (set.ExitCode, set.StandardOutput, set.StandardError));
        var get = await KvAsync("get", key);
        Assert.Equal((0, "token\n"), (get.ExitCode, get.StandardOutput));
        var ttl = await KvAsync("ttl", key);
        Assert.Equal(0, ttl.ExitCode);
        Assert.InRange(int.Parse(ttl.StandardOutput, CultureInfo.InvariantCulture), 1, 30);
    }

    [Fact(Timeout = Timeout)]
    public async Task RefusedSet_MissingKey_AndDel_ExitAsOverResp()
    {
        var key = Key("k");
        Assert.Equal(0, (await KvAsync("set", key, "first", "--ex", "50")).ExitCode);
        var again = await KvAsync("set", key, "other", "--nx");
        Assert.Equal((1, "(nil)\n"), (again.ExitCode, again.StandardOutput));
        var old = await KvAsync("set", key, "second", "--keepttl", "--get");
        Assert.Equal((0, "first\n"), (old.ExitCode, old.StandardOutput));
        Assert.InRange(int.Parse((await KvAsync("ttl", key)).StandardOutput, CultureInfo.InvariantCulture), 30, 50);
        var del = await KvAsync("del", key, Key("missing"));
        Assert.Equal((0, "1\n"), (del.ExitCode, del.StandardOutput));
        var missing = await KvAsync("get", key);
        Assert.Equal((1, "", "(nil)\n"), (missing.ExitCode, missing.StandardOutput, missing.StandardError));
        var ttl = await KvAsync("ttl", key);
        Assert.Equal((1, "-2\n"), (ttl.ExitCode, ttl.StandardOutput));
        Assert.Equal(1, (await KvAsync("del", key)).ExitCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task Mistakes_AndUnreachableGateways_HaveTheirExitCodes()
    {
        Assert.Equal(2, (await KvAsync("set", Key("k"), "v", "--nx", "--xx")).ExitCode);
        Assert.Equal(2, (await KvAsync("lock", "acquire", Key("lock"))).ExitCode);
        var withoutOrleans = await ProcessRunner.RunAsync("dotnet", [KvTool.Path, "--gateways", silo.Gateway, "get", "k"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, withoutOrleans.ExitCode);
        var unreachable = await ProcessRunner.RunAsync(
            "dotnet",
            [KvTool.Path, "--orleans", "--gateways", "127.0.0.1:" + FreePort.Next().ToString(CultureInfo.InvariantCulture), "--timeout-ms", "2000", "get", "k"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(4, unreachable.ExitCode);
    }
}

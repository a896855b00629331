using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>The <c>kv</c> tool as a user runs it: a process, its output and its exit code.</summary>
public sealed class KvToolTests : IAsyncLifetime
{
    private const int Timeout = 120_000;
    private SiloServer _silo = null!;

    public async Task InitializeAsync() => _silo = await SiloServer.StartAsync([]);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private Task<ProcessResult> KvAsync(params string[] args) => KvWithInputAsync(null, args);

    private Task<ProcessResult> KvWithInputAsync(string? input, params string[] args) =>
        ProcessRunner.RunAsync(
            "dotnet",
            [KvTool.Path, "--port", _silo.Port.ToString(CultureInfo.InvariantCulture), .. args],
            TimeSpan.FromSeconds(60),
            input);

    private static string Key(string name) => $"kv:{Guid.NewGuid():N}:{name}";

    [Fact(Timeout = Timeout)]
    public async Task SetGetTtlDel_PrintAndExitAsScriptsNeed()
    {
        var key = Key("k");
        var set = await KvAsync("set", key, "hello", "--px", "50000", "--nx");
        Assert.Equal((0, "OK\n"), (set.ExitCode, set.StandardOutput));
        var again = await KvAsync("set", key, "other", "--nx");
        Assert.Equal((1, "(nil)\n"), (again.ExitCode, again.StandardOutput));
        Assert.Equal("hello\n", (await KvAsync("get", key)).StandardOutput);
        var ttl = await KvAsync("ttl", key);
        Assert.InRange(int.Parse(ttl.StandardOutput, CultureInfo.InvariantCulture), 30, 50);
        var del = await KvAsync("del", key, Key("missing"));
        Assert.Equal((0, "1\n"), (del.ExitCode, del.StandardOutput));
        Assert.Equal(1, (await KvAsync("get", Key("missing"))).ExitCode);
        Assert.Equal(1, (await KvAsync("del", Key("missing"))).ExitCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task Lock_AcquireRelease_WithFencingTokens()
    {
        var resource = Key("lock");
        var first = await KvAsync("lock", "acquire", resource, "--ttl", "30000");
        Assert.Equal(0, first.ExitCode);
        var lines = first.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = lines[0]["token ".Length..];
        Assert.Equal(1, (await KvAsync("lock", "acquire", resource)).ExitCode);
        Assert.Equal(1, (await KvAsync("lock", "release", resource, "not-the-token")).ExitCode);
        Assert.Equal(0, (await KvAsync("lock", "release", resource, token)).ExitCode);
        var second = await KvAsync("lock", "acquire", resource);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("fencing-token 2", second.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task Cluster_ListsTheSilo_AndErrorsHaveTheirOwnExitCodes()
    {
        var cluster = await KvAsync("cluster");
        Assert.Equal(0, cluster.ExitCode);
        Assert.Contains("active", cluster.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("kv_silos_active:1", cluster.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(2, (await KvAsync("set")).ExitCode);
        var unreachable = await ProcessRunner.RunAsync("dotnet", [KvTool.Path, "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "get", "k"], TimeSpan.FromSeconds(60));
        Assert.Equal(4, unreachable.ExitCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task InteractiveMode_RunsCommandsFromInput()
    {
        var key = Key("shell");
        var result = await KvWithInputAsync($"set {key} \"a b\"\nget {key}\nexists {key} {key}\nset {key}\nquit\n");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"OK\n\"a b\"\n(integer) 2\n(error) ERR wrong number of arguments for 'set' command\n", result.StandardOutput);
    }
}

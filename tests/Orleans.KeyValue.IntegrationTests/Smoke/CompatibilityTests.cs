using System.Globalization;
using System.Text;
using Orleans.KeyValue.IntegrationTests.Cluster;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>
/// Clients nobody here wrote, unmodified: redis-cli (every SET form of the Redis docs, pipes,
/// --pipe mass insert), redis-benchmark (its SET, GET and PING tests), Python's redis-py
/// (including its Lock) and Node's ioredis. Run against one silo and a 3-silo cluster.
/// </summary>
public abstract class CompatibilityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    protected abstract int Port { get; }

    /// <summary>A redis-server 7 for the same commands, to compare with.</summary>
    protected abstract int ReferencePort { get; }

    private string Prefix { get; } = $"compat:{Guid.NewGuid():N}:";

    private string PortText => Port.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 120_000)]
    public async Task RedisCli_EverySetFormOfTheDocs()
    {
        var k = Prefix + "set";

        // The SET examples and options of https://redis.io/commands/set, in order.
        string[][] commands =
        [
            ["SET", k, "Hello"], ["GET", k],
            ["SET", k, "World", "EX", "100"], ["TTL", k],
            ["SET", k, "v", "PX", "100000"], ["SET", k, "v", "EXAT", "4102444800"], ["SET", k, "v", "PXAT", "4102444800000"],
            ["SET", k, "kept", "KEEPTTL"], ["EXPIRETIME", k],
            ["SET", k, "nx", "NX"], ["SET", k, "xx", "XX"], ["SET", k, "old", "XX", "GET"], ["GET", k],
            ["SET", Prefix + "fresh", "v", "NX", "GET"], ["SET", k, "v", "NX", "XX"], ["SET", k, "v", "EX", "0"],
            ["SET", k, "v", "EX", "10", "PX", "100"], ["SET", k, "v", "KEEPTTL", "EX", "10"],
        ];
        // Same commands, same redis-cli, against redis-server: the printed output must match.
        var ours = new StringBuilder();
        var redis = new StringBuilder();
        foreach (var command in commands)
        {
            ours.Append(await ExternalClients.RedisCliAsync(Port, command));
            redis.Append(await ExternalClients.RedisCliAsync(ReferencePort, command));
        }

        Assert.Equal(redis.ToString(), ours.ToString());
        Assert.Contains("ERR invalid expire time in 'set' command", ours.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task RedisCli_PipeMassInsert_LoadsEveryKey()
    {
        var input = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            var key = Prefix + "mass:" + i.ToString(CultureInfo.InvariantCulture);
            input.Append(CultureInfo.InvariantCulture, $"*3\r\n$3\r\nSET\r\n${Encoding.UTF8.GetByteCount(key)}\r\n{key}\r\n$1\r\nv\r\n");
        }

        var result = await ProcessRunner.RunAsync(ExternalClients.RedisCliPath, ["-h", "127.0.0.1", "-p", PortText, "--pipe"], Timeout, input.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("errors: 0, replies: 10000", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("v\n", await ExternalClients.RedisCliAsync(Port, ["GET", Prefix + "mass:9999"]));
    }

    [Fact(Timeout = 120_000)]
    public async Task RedisBenchmark_SetGetPing_RunWithoutErrors()
    {
        var result = await ProcessRunner.RunAsync(
            "/usr/bin/redis-benchmark",
            ["-h", "127.0.0.1", "-p", PortText, "-t", "ping,set,get", "-n", "20000", "-c", "20", "-r", "100000", "--csv"],
            Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var test in (string[])["PING_INLINE", "PING_MBULK", "SET", "GET"])
        {
            Assert.Contains("\"" + test + "\"", result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("ERR", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public Task Python_RedisPy_CommandsPipelineAndLock() => ExternalClients.RunPythonAsync(
        """
        import sys, redis
        r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), socket_timeout=10)
        p = sys.argv[2]
        assert r.set(p + 'k', 'v', px=100000, nx=True) is True
        assert r.set(p + 'k', 'w', nx=True) is None
        pipe = r.pipeline(transaction=False)
        for i in range(300):
            pipe.set(p + 'pipe:%d' % i, i)
        for i in range(300):
            pipe.get(p + 'pipe:%d' % i)
        res = pipe.execute()
        assert res[:300] == [True] * 300
        assert res[300:] == [str(i).encode() for i in range(300)]
        lock = r.lock(p + 'res', timeout=10)
        assert lock.acquire(blocking=False)
        assert not r.lock(p + 'res', timeout=10).acquire(blocking=False)
        assert lock.extend(10)
        assert lock.reacquire()
        lock.release()
        assert r.get(p + 'res') is None
        print('PASS')
        """,
        PortText,
        Prefix);

    [Fact(Timeout = 180_000)]
    public async Task Node_Ioredis_CommandsPipelineAndLockScript()
    {
        var directory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../compat/node"));
        Assert.True(
            Directory.Exists(Path.Combine(directory, "node_modules", "ioredis")),
            $"ioredis is not installed in {directory}: run 'npm ci --prefix tests/compat/node' (tools/test.sh and .ci/run do).");
        var result = await ProcessRunner.RunAsync("node", [Path.Combine(directory, "ioredis-compat.js"), PortText, Prefix], Timeout);
        Assert.True(result.ExitCode == 0 && result.StandardOutput.Contains("PASS", StringComparison.Ordinal), result.ToString());
    }
}

/// <summary>The real clients against one silo.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class SingleSiloCompatibilityTests(DifferentialServersFixture servers) : CompatibilityTests
{
    protected override int Port => servers.UnderTest.Port;

    protected override int ReferencePort => servers.Reference.Port;
}

/// <summary>The real clients against a 3-silo cluster: keys spread over the silos, the client talks to one.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ClusterCompatibilityTests(EmbeddedThreeSiloClusterFixture cluster, DifferentialServersFixture servers)
    : CompatibilityTests, IClassFixture<EmbeddedThreeSiloClusterFixture>
{
    protected override int Port => cluster.Cluster.LiveSilos[1].GatewayPort;

    protected override int ReferencePort => servers.Reference.Port;
}

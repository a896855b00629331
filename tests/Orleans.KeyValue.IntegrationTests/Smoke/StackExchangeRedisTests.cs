using System.Globalization;
using System.Net;
using Orleans.KeyValue.IntegrationTests.Cluster;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using StackExchange.Redis;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>
/// StackExchange.Redis 3.4.35, the .NET Redis client, unmodified and in its default
/// configuration unless a test says otherwise: its handshake, the string and key API, batches,
/// pipelining, transactions (which we do not serve), its lock API and Lua scripts. Run against
/// one silo, a 3-silo cluster, and redis-server 7.0.15, which shows that what a test expects is
/// what Redis does; the few tests whose outcome differs on Redis say so.
/// </summary>
/// <remarks>
/// What its handshake sends (seen through a logging proxy): on the command connection
/// <c>HELLO 3</c>, <c>CLIENT SETNAME</c>, <c>CLIENT SETINFO lib-name|lib-ver</c>, <c>CLIENT ID</c>,
/// <c>CONFIG GET replica-read-only</c>, <c>CONFIG GET databases</c>, <c>SENTINEL MASTERS</c>,
/// <c>INFO replication</c>, <c>INFO server</c>, <c>CLUSTER SLOTS</c>, <c>CLUSTER NODES</c>,
/// <c>GET __Booksleeve_TieBreak</c>, <c>ECHO</c>; on the subscription connection the same
/// opening, <c>ECHO</c> and <c>SUBSCRIBE __Booksleeve_MasterChanged</c>. We answer
/// <c>SENTINEL</c>, <c>CLUSTER NODES</c> and <c>SUBSCRIBE</c> with an error (Redis 7.0 answers
/// the first two with an error too); the client takes the server as a standalone primary from
/// <c>HELLO</c> and <c>INFO server</c> and connects.
/// </remarks>
public abstract partial class StackExchangeRedisTests
{
    private const int Timeout = 30_000;

    // Generous: two cores shared with other builds; a timeout must mean a hung reply.
    private const int CommandTimeoutMs = 10_000;

    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The RESP port of every silo (one port for one server).</summary>
    protected abstract IReadOnlyList<int> Ports { get; }

    /// <summary>True for redis-server, which serves MULTI, EXEC and WATCH and lacks Redis 8.4's commands.</summary>
    protected virtual bool IsRedisServer => false;

    /// <summary>
    /// The port the tests' client is given. On the cluster one silo (not the first): any silo
    /// answers for any key, so most keys live on another silo and their commands are forwarded.
    /// Given every silo, the client works too (<see cref="Connect_ToEverySilo_WritesAreReadableThroughEverySilo"/>)
    /// but sends its commands to one of them only.
    /// </summary>
    private int EntryPort => Ports[^1];

    private string Prefix { get; } = $"se:{Guid.NewGuid():N}:";

    private RedisKey Key(string name) => Prefix + name;

    /// <summary>A key in the slot of the hash tag <paramref name="tag"/> (MSETNX and scripts over several keys need one slot).</summary>
    private RedisKey TaggedKey(string tag, string name) => "{" + Prefix + tag + "}" + name;

    private static ConfigurationOptions Options(IEnumerable<int> ports)
    {
        var options = new ConfigurationOptions
        {
            ConnectTimeout = CommandTimeoutMs,
            AsyncTimeout = CommandTimeoutMs,
            SyncTimeout = CommandTimeoutMs,
            AbortOnConnectFail = true,

            // For SCRIPT FLUSH only.
            AllowAdmin = true,
        };
        foreach (var port in ports)
        {
            options.EndPoints.Add(IPAddress.Loopback, port);
        }

        return options;
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options, TextWriter? log = null) =>
        ConnectionMultiplexer.ConnectAsync(options, log);

    private Task<ConnectionMultiplexer> ConnectAsync() => ConnectAsync(Options([EntryPort]));

    // Connecting.

    [Fact(Timeout = Timeout)]
    public async Task Connect_HandshakeSucceeds_AsStandalonePrimaryOnResp3()
    {
        var log = new StringWriter(CultureInfo.InvariantCulture);
        await using var redis = await ConnectAsync(Options([EntryPort]), log);
        Assert.True(redis.IsConnected, log.ToString());
        var server = redis.GetServer(IPAddress.Loopback, EntryPort);
        Assert.True(server.IsConnected, log.ToString());
        Assert.Equal(ServerType.Standalone, server.ServerType);
        Assert.False(server.IsReplica);
        Assert.Equal(RedisProtocol.Resp3, server.Protocol);
        Assert.Equal(new Version(7, 0, 15), server.Version);

        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync(Key("k"), "v"));
        Assert.Equal("v", (string?)await db.StringGetAsync(Key("k")));
        Assert.True(await db.PingAsync() < TimeSpan.FromMilliseconds(CommandTimeoutMs));
    }

    [Fact(Timeout = Timeout)]
    public async Task Connect_WithResp2_Works()
    {
        var options = Options([EntryPort]);
        options.Protocol = RedisProtocol.Resp2;
        await using var redis = await ConnectAsync(options);
        Assert.True(redis.IsConnected);
        Assert.Equal(RedisProtocol.Resp2, redis.GetServer(IPAddress.Loopback, EntryPort).Protocol);
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync(Key("k"), "v", TimeSpan.FromSeconds(100)));
        Assert.Equal("v", (string?)await db.StringGetAsync(Key("k")));
        Assert.InRange(await db.KeyTimeToLiveAsync(Key("k")) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));
    }

    /// <summary>
    /// Given every silo, the client sees standalone primaries without a tie-breaker, picks one
    /// arbitrarily for its commands and keeps the others connected as spares. Any silo answers
    /// for any key, so whichever it picks, a key it writes is read back through every silo.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task Connect_ToEverySilo_WritesAreReadableThroughEverySilo()
    {
        await using var redis = await ConnectAsync(Options(Ports));
        Assert.True(redis.IsConnected);
        Assert.All(Ports, port => Assert.True(redis.GetServer(IPAddress.Loopback, port).IsConnected, $"port {port}"));
        var keys = Enumerable.Range(0, 100).Select(i => Key("spread" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var db = redis.GetDatabase();
        Assert.All(await Task.WhenAll(keys.Select((k, i) => db.StringSetAsync(k, "v" + i.ToString(CultureInfo.InvariantCulture)))), Assert.True);

        foreach (var port in Ports)
        {
            await using var one = await ConnectAsync(Options([port]));
            var values = await one.GetDatabase().StringGetAsync(keys);
            Assert.Equal(keys.Select((_, i) => "v" + i.ToString(CultureInfo.InvariantCulture)), values.Select(v => (string?)v));
        }
    }
}

/// <summary>StackExchange.Redis against one silo.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class SingleSiloStackExchangeRedisTests(DifferentialServersFixture servers) : StackExchangeRedisTests
{
    protected override IReadOnlyList<int> Ports => [servers.UnderTest.Port];

    // KV_TEST_TARGET=redis runs this class against a second redis-server.
    protected override bool IsRedisServer => ServerUnderTest.Target == ServerTarget.Redis;
}

/// <summary>StackExchange.Redis against a 3-silo cluster: keys spread over the silos.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ClusterStackExchangeRedisTests(EmbeddedThreeSiloClusterFixture fixture)
    : StackExchangeRedisTests, IClassFixture<EmbeddedThreeSiloClusterFixture>
{
    protected override IReadOnlyList<int> Ports => [.. fixture.Cluster.LiveSilos.Select(s => s.GatewayPort)];
}

/// <summary>The same tests against redis-server 7.0.15: what they expect is Redis's behaviour.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ReferenceStackExchangeRedisTests(DifferentialServersFixture servers) : StackExchangeRedisTests
{
    protected override IReadOnlyList<int> Ports => [servers.Reference.Port];

    protected override bool IsRedisServer => true;
}

using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>The SDK against one server: ours, and, to show it is a plain Redis client too, redis-server.</summary>
public abstract class KeyValueClientTests : IAsyncLifetime
{
    private const int Timeout = 60_000;

    protected IRespServer Server { get; private set; } = null!;

    private KeyValueClient Client { get; set; } = null!;

    protected abstract Task<IRespServer> StartServerAsync();

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync();
        Client = await KeyValueClient.ConnectAsync("127.0.0.1:" + Server.Port.ToString(CultureInfo.InvariantCulture));
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    private static string Key(string name) => $"sdk:{Guid.NewGuid():N}:{name}";

    [Fact(Timeout = Timeout)]
    public async Task SetGetDeleteExists_RoundTrip()
    {
        var key = Key("k");
        Assert.Null(await Client.GetAsync(key));
        Assert.True(await Client.SetAsync(key, "hello"));
        Assert.Equal("hello", await Client.GetStringAsync(key));
        Assert.True(await Client.SetAsync(key, new byte[] { 0, 1, 255 }));
        Assert.Equal(new byte[] { 0, 1, 255 }, await Client.GetAsync(key));
        Assert.Equal(2, await Client.ExistsAsync([key, key]));
        Assert.True(await Client.DeleteAsync(key));
        Assert.False(await Client.DeleteAsync(key));
        Assert.False(await Client.ExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task SetConditions_AndGet_ReturnWhatRedisSays()
    {
        var key = Key("cond");
        Assert.False(await Client.SetAsync(key, "x", when: SetWhen.Exists));
        Assert.True(await Client.SetAsync(key, "a", when: SetWhen.NotExists));
        Assert.False(await Client.SetAsync(key, "b", when: SetWhen.NotExists));
        Assert.Equal("a"u8.ToArray(), await Client.SetAndGetAsync(key, "c"u8.ToArray()));
        Assert.Null(await Client.SetAndGetAsync(Key("fresh"), "c"u8.ToArray()));
        Assert.Equal("c", await Client.GetStringAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task Expiry_IsSetKeptAndCleared()
    {
        var key = Key("ttl");
        await Client.SetAsync(key, "v", Expiry.In(TimeSpan.FromSeconds(100)));
        Assert.InRange(await Client.GetTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));
        await Client.SetAsync(key, "w", Expiry.Keep);
        Assert.NotNull(await Client.GetTimeToLiveAsync(key));
        await Client.SetAsync(key, "z");
        Assert.Null(await Client.GetTimeToLiveAsync(key));
        Assert.True(await Client.ExpireAtAsync(key, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.True(await Client.PersistAsync(key));
        await Client.SetAsync(key, "gone", Expiry.AtTime(DateTimeOffset.UtcNow.AddSeconds(-5)));
        Assert.False(await Client.ExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task ErrorReplies_BecomeExceptionsWithTheServersText()
    {
        var error = await Assert.ThrowsAsync<KeyValueException>(() => Client.ExecuteAsync("SET", Key("e")));
        Assert.Equal("ERR wrong number of arguments for 'set' command", error.Message);
        Assert.Equal("ERR", error.Code);
    }

    [Fact(Timeout = Timeout)]
    public async Task ManyConcurrentCallers_ShareTheConnection_AndEachGetsItsOwnReply()
    {
        var prefix = Key("many");
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async caller =>
        {
            for (var i = 0; i < 100; i++)
            {
                var key = $"{prefix}:{caller}:{i}";
                Assert.True(await Client.SetAsync(key, key));
                Assert.Equal(key, await Client.GetStringAsync(key));
            }
        }));
    }

    [Fact(Timeout = Timeout)]
    public async Task Scripts_RunByBodyAndBySha()
    {
        var key = Key("script");
        var reply = await Client.EvaluateAsync("return redis.call('set', KEYS[1], ARGV[1])", [key], ["v"]);
        Assert.Equal("OK", reply.Text);
        var sha = await Client.LoadScriptAsync("return redis.call('get', KEYS[1])");
        Assert.Equal("v", (await Client.EvaluateShaAsync(sha, [key], [])).Text);
    }

    [Fact(Timeout = Timeout)]
    public async Task Lock_IsExclusive_ReleasedOnlyByItsHolder_WithGrowingFencingTokens()
    {
        var resource = Key("lock");
        await using var first = await Client.AcquireLockAsync(resource, TimeSpan.FromSeconds(30), TimeSpan.Zero);
        Assert.Null(await Client.TryAcquireLockAsync(resource, TimeSpan.FromSeconds(30)));
        Assert.Equal(first.Token, await Client.GetStringAsync(resource));
        Assert.True(await first.ExtendAsync(TimeSpan.FromSeconds(60)));
        Assert.True(await first.ReleaseAsync());
        Assert.False(await first.ReleaseAsync());

        await using var second = await Client.AcquireLockAsync(resource, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));
        Assert.True(second.FencingToken > first.FencingToken);

        // A holder whose lock is gone can neither extend nor release its successor's lock.
        await Client.DeleteAsync(resource);
        await using var third = await Client.AcquireLockAsync(resource, TimeSpan.FromSeconds(30), TimeSpan.Zero);
        Assert.False(await second.ExtendAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await second.ReleaseAsync());
        Assert.Equal(third.Token, await Client.GetStringAsync(resource));
        Assert.True(third.FencingToken > second.FencingToken);
    }

    [Fact(Timeout = Timeout)]
    public async Task Lock_WaitsForTheHolder_AndExpiryFreesIt()
    {
        var resource = Key("wait");
        // The TTL must cover the acquisition itself (SET NX, the fence script, a GET): on a
        // freshly started silo the first script also activates its key's grain.
        var held = await Client.AcquireLockAsync(resource, TimeSpan.FromMilliseconds(1500), TimeSpan.Zero);

        // Real time: the lock's deadline is the server's (poll with a deadline, no sleep).
        await using var next = await Client.AcquireLockAsync(resource, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
        Assert.True(next.FencingToken > held.FencingToken);
        Assert.False(await held.ReleaseAsync());
    }

    [Fact(Timeout = Timeout)]
    public async Task DistributedCache_StoresReadsAndRemoves_WithDeadlines()
    {
        var cache = new KeyValueDistributedCache(Client, "cache:");
        var key = Key("entry");
        await cache.SetAsync(key, "payload"u8.ToArray(), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5), AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Assert.Equal("payload"u8.ToArray(), await cache.GetAsync(key));
        Assert.InRange(await Client.GetTimeToLiveAsync("cache:" + key) ?? TimeSpan.Zero, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        await cache.RefreshAsync(key);
        await cache.RemoveAsync(key);
        Assert.Null(await cache.GetAsync(key));
        Assert.Throws<NotSupportedException>(() => cache.Get(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task Failover_SkipsAnUnreachableGateway()
    {
        var options = new KeyValueClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2) };
        options.Endpoints.Add("127.0.0.1:" + FreePort.Next().ToString(CultureInfo.InvariantCulture));
        options.Endpoints.Add("127.0.0.1:" + Server.Port.ToString(CultureInfo.InvariantCulture));
        await using var client = await KeyValueClient.ConnectAsync(options);
        Assert.Equal(options.Endpoints[1], client.CurrentEndpoint);
        await client.PingAsync();
    }

    [Fact(Timeout = Timeout)]
    public async Task NoGateway_IsAClearConnectionError()
    {
        var options = new KeyValueClientOptions();
        options.Endpoints.Add("127.0.0.1:" + FreePort.Next().ToString(CultureInfo.InvariantCulture));
        var error = await Assert.ThrowsAsync<KeyValueConnectionException>(() => KeyValueClient.ConnectAsync(options));
        Assert.Contains("No gateway could be reached", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>The SDK against our silo.</summary>
public sealed class KeyValueClientOnSiloTests : KeyValueClientTests
{
    protected override async Task<IRespServer> StartServerAsync() => await SiloServer.StartAsync([]);

    [Fact(Timeout = 60_000)]
    public async Task AddKeyValueClient_GivesAnAppTheClientAndADistributedCache()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddKeyValueClient(o => o.Endpoints.Add("127.0.0.1:" + Server.Port.ToString(CultureInfo.InvariantCulture)));
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();
        var key = $"di:{Guid.NewGuid():N}";
        await cache.SetAsync(key, "cached"u8.ToArray(), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        Assert.Equal("cached"u8.ToArray(), await cache.GetAsync(key));
        var client = provider.GetRequiredService<KeyValueClient>();
        Assert.True(await client.ExistsAsync(key));
    }

    [Fact(Timeout = 60_000)]
    public async Task ConditionalCommands_CompareAndSetAndDelete_WithoutScripts()
    {
        await using var client = await KeyValueClient.ConnectAsync("127.0.0.1:" + Server.Port.ToString(CultureInfo.InvariantCulture));
        var key = $"sdk:{Guid.NewGuid():N}:cas";
        Assert.False(await client.SetIfEqualAsync(key, "b"u8.ToArray(), "a"u8.ToArray()));
        Assert.False(await client.ExistsAsync(key));
        await client.SetAsync(key, "a");
        Assert.True(await client.SetIfEqualAsync(key, "b"u8.ToArray(), "a"u8.ToArray(), Expiry.In(TimeSpan.FromMinutes(1))));
        var digest = await client.GetDigestAsync(key);
        Assert.Matches("^[0-9a-f]{16}$", digest);
        Assert.False(await client.SetIfDigestAsync(key, "c"u8.ToArray(), "0000000000000000"));
        Assert.True(await client.SetIfDigestAsync(key, "c"u8.ToArray(), digest!));
        Assert.False(await client.DeleteIfEqualAsync(key, "b"u8.ToArray()));
        Assert.True(await client.DeleteIfEqualAsync(key, "c"u8.ToArray()));
        Assert.Null(await client.GetDigestAsync(key));
    }
}

/// <summary>The SDK against redis-server 7: a plain Redis client too (locks fall back to the script).</summary>
public sealed class KeyValueClientOnRedisTests : KeyValueClientTests
{
    protected override async Task<IRespServer> StartServerAsync() => await RedisServerProcess.StartAsync([]);
}

using System.Net;
using StackExchange.Redis;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>The lock API and Lua scripts.</summary>
public abstract partial class StackExchangeRedisTests
{
    [Fact(Timeout = Timeout)]
    public async Task LockTakeAndQuery_OneHolderAtATime()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var resource = Key("lock");

        Assert.True((await db.LockQueryAsync(resource)).IsNull);
        Assert.True(await db.LockTakeAsync(resource, "token-1", TimeSpan.FromSeconds(30)));
        Assert.False(await db.LockTakeAsync(resource, "token-2", TimeSpan.FromSeconds(30)));
        Assert.Equal("token-1", (string?)await db.LockQueryAsync(resource));
        Assert.InRange(await db.KeyTimeToLiveAsync(resource) ?? TimeSpan.Zero, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

        // Through another connection (on the cluster: the same silo, another socket) too.
        await using var other = await ConnectAsync();
        Assert.False(await other.GetDatabase().LockTakeAsync(resource, "token-3", TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// LockExtend and LockRelease are transactions (WATCH, GET, MULTI, PEXPIRE or UNLINK, EXEC)
    /// when the server says it is older than Redis 8.4, as we do (7.0.15): the token is checked
    /// under WATCH, so a wrong token neither extends nor releases.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task LockExtendAndRelease_InTheDefaultConfiguration_CheckTheToken()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var resource = Key("lock");
        Assert.True(await db.LockTakeAsync(resource, "token-1", TimeSpan.FromSeconds(30)));

        Assert.True(await db.LockExtendAsync(resource, "token-1", TimeSpan.FromSeconds(100)));
        Assert.False(await db.LockExtendAsync(resource, "token-2", TimeSpan.FromSeconds(200)));
        Assert.False(await db.LockReleaseAsync(resource, "token-2"));
        Assert.InRange(await db.KeyTimeToLiveAsync(resource) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));
        Assert.Equal("token-1", (string?)await db.LockQueryAsync(resource));
        Assert.True(await db.LockReleaseAsync(resource, "token-1"));

        Assert.True(redis.IsConnected);
        Assert.True((await db.LockQueryAsync(resource)).IsNull);
    }

    /// <summary>
    /// Told that the server is Redis 8.4 (HELLO and INFO, which report 7.0.15, left out of the
    /// command map, and DefaultVersion 8.4), the client extends with <c>SET key token EX s IFEQ
    /// token</c> and releases with <c>DELEX key IFEQ token</c>: one atomic command each, both of
    /// which we serve. redis-server 7.0 lacks DELEX.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task LockExtendAndRelease_WithRedis84Commands_CheckTheToken()
    {
        var options = Options([EntryPort]);
        options.CommandMap = CommandMap.Create(["HELLO", "INFO"], available: false);
        options.DefaultVersion = new Version(8, 4);
        await using var redis = await ConnectAsync(options);
        var db = redis.GetDatabase();
        var resource = Key("lock");
        Assert.True(await db.LockTakeAsync(resource, "token-1", TimeSpan.FromSeconds(30)));

        if (IsRedisServer)
        {
            var error = await Assert.ThrowsAsync<RedisServerException>(() => db.LockReleaseAsync(resource, "token-1"));
            Assert.StartsWith("ERR unknown command 'DELEX'", error.Message, StringComparison.Ordinal);
            return;
        }

        Assert.True(await db.LockExtendAsync(resource, "token-1", TimeSpan.FromSeconds(100)));
        Assert.InRange(await db.KeyTimeToLiveAsync(resource) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));
        Assert.False(await db.LockExtendAsync(resource, "token-2", TimeSpan.FromSeconds(200)));
        Assert.False(await db.LockReleaseAsync(resource, "token-2"));
        Assert.Equal("token-1", (string?)await db.LockQueryAsync(resource));
        Assert.InRange(await db.KeyTimeToLiveAsync(resource) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));

        Assert.True(await db.LockReleaseAsync(resource, "token-1"));
        Assert.True((await db.LockQueryAsync(resource)).IsNull);
        Assert.False(await db.LockReleaseAsync(resource, "token-1"));
        Assert.True(await db.LockTakeAsync(resource, "token-2", TimeSpan.FromSeconds(30)));
    }

    // Scripts.

    [Fact(Timeout = Timeout)]
    public async Task ScriptEvaluate_RawScriptWithKeysAndValues_ReturnsItsResult()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        const string Script = """
            redis.call('set', KEYS[1], ARGV[1])
            return {redis.call('get', KEYS[1]), redis.call('append', KEYS[1], ARGV[2]), ARGV[2]}
            """;

        var items = (RedisResult[]?)await db.ScriptEvaluateAsync(Script, [Key("a")], ["value", "-more"]);
        Assert.NotNull(items);
        Assert.Equal("value", (string?)items[0]);
        Assert.Equal(10, (long)items[1]);
        Assert.Equal("-more", (string?)items[2]);
        Assert.Equal("value-more", (string?)await db.StringGetAsync(Key("a")));

        // The second time the client sends the script by its hash (EVALSHA).
        items = (RedisResult[]?)await db.ScriptEvaluateAsync(Script, [Key("b")], ["x", "y"]);
        Assert.NotNull(items);
        Assert.Equal(2, (long)items[1]);

        Assert.Equal(7, (long)await db.ScriptEvaluateAsync("return 7"));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ScriptEvaluateAsync("return redis.call('incr', KEYS[1])", [Key("a")]));
        Assert.Contains("ERR value is not an integer or out of range", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// LuaScript turns @names into KEYS and ARGV, sends EVAL the first time and EVALSHA after;
    /// LoadedLuaScript sends SCRIPT LOAD and then only EVALSHA. After SCRIPT FLUSH, EVALSHA
    /// answers NOSCRIPT and the client sends the script again.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task LuaScriptPrepare_EvaluatesWithNamedParameters_AlsoAfterScriptFlush()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var script = LuaScript.Prepare("redis.call('set', @key, @value) return redis.call('strlen', @key)");

        Assert.Equal(5, (long)await script.EvaluateAsync(db, new { key = Key("a"), value = "hello" }));
        Assert.Equal(2, (long)await script.EvaluateAsync(db, new { key = Key("b"), value = "hi" }));
        Assert.Equal("hello", (string?)await db.StringGetAsync(Key("a")));

        var server = redis.GetServer(IPAddress.Loopback, EntryPort);
        var loaded = await script.LoadAsync(server);
        Assert.True(await server.ScriptExistsAsync(loaded.Hash));
        Assert.Equal(3, (long)await loaded.EvaluateAsync(db, new { key = Key("c"), value = "abc" }));

        await server.ScriptFlushAsync();
        Assert.False(await server.ScriptExistsAsync(loaded.Hash));
        Assert.Equal(4, (long)await script.EvaluateAsync(db, new { key = Key("d"), value = "four" }));
        Assert.Equal("four", (string?)await db.StringGetAsync(Key("d")));
    }

    /// <summary>
    /// A script over two keys of one hash tag is atomic over both: concurrent transfers
    /// between them, pipelined, keep the sum.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task ScriptEvaluate_OverTwoKeysOfOneHashTag_IsAtomic()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        RedisKey[] accounts = [TaggedKey("acct", "a"), TaggedKey("acct", "b")];
        const string Transfer = """
            local from = tonumber(redis.call('get', KEYS[1]) or '0')
            if from < tonumber(ARGV[1]) then return -1 end
            redis.call('decrby', KEYS[1], ARGV[1])
            return redis.call('incrby', KEYS[2], ARGV[1])
            """;
        Assert.True(await db.StringSetAsync(accounts[0], 100));
        Assert.True(await db.StringSetAsync(accounts[1], 0));

        var transfers = Enumerable.Range(0, 150).Select(_ => db.ScriptEvaluateAsync(Transfer, accounts, [1])).ToArray();
        var results = (await Task.WhenAll(transfers)).Select(r => (long)r).ToArray();

        // 100 transfers succeed, answering 1..100 in order; the other 50 find nothing left.
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), results.Take(100));
        Assert.All(results.Skip(100), r => Assert.Equal(-1, r));
        var balances = await db.StringGetAsync(accounts);
        Assert.Equal([0, 100], balances.Select(v => (long)v));
    }
}

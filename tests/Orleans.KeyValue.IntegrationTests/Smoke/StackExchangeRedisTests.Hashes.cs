using StackExchange.Redis;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>The hash API: HashSet in its forms, HashGet, HashGetAll, increments, HashScan, and WRONGTYPE as the client sees it.</summary>
public abstract partial class StackExchangeRedisTests
{
    [Fact(Timeout = Timeout)]
    public async Task Hashes_SetGetIncrementScanAndDelete()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("hash");

        await db.HashSetAsync(key, [new HashEntry("name", "Ada"), new HashEntry("visits", 1), new HashEntry("ratio", "1.5")]);
        Assert.True(await db.HashSetAsync(key, "lang", "en"));
        Assert.False(await db.HashSetAsync(key, "lang", "fr"));
        Assert.False(await db.HashSetAsync(key, "name", "Grace", When.NotExists));
        Assert.Equal("Ada", (string?)await db.HashGetAsync(key, "name"));
        Assert.Equal(["Ada", "fr", null], (await db.HashGetAsync(key, ["name", "lang", "missing"])).Select(v => (string?)v));
        Assert.Equal(4, await db.HashLengthAsync(key));
        Assert.True(await db.HashExistsAsync(key, "visits"));
        Assert.Equal(11, await db.HashIncrementAsync(key, "visits", 10));
        Assert.Equal(2.0, await db.HashIncrementAsync(key, "ratio", 0.5));
        Assert.Equal(2, await db.HashStringLengthAsync(key, "visits"));

        var all = await db.HashGetAllAsync(key);
        Assert.Equal(["name", "visits", "ratio", "lang"], all.Select(e => (string?)e.Name));
        Assert.Equal(["name", "visits", "ratio", "lang"], (await db.HashKeysAsync(key)).Select(v => (string?)v));
        Assert.Equal(["Ada", "11", "2", "fr"], (await db.HashValuesAsync(key)).Select(v => (string?)v));
        var scanned = new List<string?>();
        await foreach (var entry in db.HashScanAsync(key, "*a*"))
        {
            scanned.Add(entry.Name);
        }

        Assert.Equal(["name", "ratio", "lang"], scanned);
        Assert.Contains((string?)await db.HashRandomFieldAsync(key), new[] { "name", "visits", "ratio", "lang" });

        Assert.Equal(2, await db.HashDeleteAsync(key, ["name", "missing", "lang"]));
        Assert.True(await db.HashDeleteAsync(key, "visits"));
        Assert.True(await db.HashDeleteAsync(key, "ratio"));
        Assert.False(await db.KeyExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task Hashes_AndStrings_RefuseEachOthersCommands()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var hash = Key("h");
        var text = Key("s");
        await db.HashSetAsync(hash, "f", "v");
        await db.StringSetAsync(text, "v");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync(hash));
        Assert.StartsWith("WRONGTYPE", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.HashGetAsync(text, "f"));
        Assert.StartsWith("WRONGTYPE", error.Message, StringComparison.Ordinal);
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(hash));
        Assert.True(await db.StringSetAsync(hash, "now a string"));
        Assert.Equal(RedisType.String, await db.KeyTypeAsync(hash));
    }
}

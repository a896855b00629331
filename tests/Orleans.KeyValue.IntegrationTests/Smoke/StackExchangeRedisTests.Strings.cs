using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>The string and key API: SET and GET in their forms, expiry, INCR family, ranges, MGET/MSET/MSETNX.</summary>
public abstract partial class StackExchangeRedisTests
{
    [Fact(Timeout = Timeout)]
    public async Task StringSetAndGet_TextBytesAndBinaryKeys_RoundTrip()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        const string Text = "héllo wörld ✓ \r\n";
        byte[] bytes = [0, 1, 0xFF, 0xFE, 13, 10, 0, 0x80];
        RedisKey binaryKey = (byte[])[.. Encoding.UTF8.GetBytes(Prefix), 0, 0xFF, 13, 10];

        Assert.True(await db.StringSetAsync(Key("text"), Text));
        Assert.True(await db.StringSetAsync(Key("bytes"), bytes));
        Assert.True(await db.StringSetAsync(binaryKey, "binary key"));
        Assert.True(await db.StringSetAsync(Key("empty"), Array.Empty<byte>()));

        Assert.Equal(Text, (string?)await db.StringGetAsync(Key("text")));
        Assert.Equal(bytes, (byte[]?)await db.StringGetAsync(Key("bytes")));
        Assert.Equal("binary key", (string?)await db.StringGetAsync(binaryKey));
        var empty = await db.StringGetAsync(Key("empty"));
        Assert.False(empty.IsNull);
        Assert.Equal(string.Empty, (string?)empty);
        Assert.True((await db.StringGetAsync(Key("missing"))).IsNull);
    }

    [Fact(Timeout = Timeout)]
    public async Task StringSet_WithExpiryAndWhen_FollowsNxAndXx()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("k");

        Assert.False(await db.StringSetAsync(key, "xx", null, When.Exists));
        Assert.False(await db.KeyExistsAsync(key));
        Assert.True(await db.StringSetAsync(key, "first", TimeSpan.FromSeconds(100), When.NotExists));
        Assert.False(await db.StringSetAsync(key, "second", TimeSpan.FromSeconds(100), When.NotExists));
        Assert.Equal("first", (string?)await db.StringGetAsync(key));
        Assert.InRange(await db.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));

        // SET XX without KEEPTTL drops the deadline.
        Assert.True(await db.StringSetAsync(key, "third", null, When.Exists));
        Assert.Equal("third", (string?)await db.StringGetAsync(key));
        Assert.Null(await db.KeyTimeToLiveAsync(key));

        Assert.True(await db.StringSetAsync(key, "fourth", TimeSpan.FromMilliseconds(1500), When.Exists));
        Assert.InRange(await db.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1500));
    }

    [Fact(Timeout = Timeout)]
    public async Task KeyExpireTimeToLiveAndPersist_Work()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("k");

        Assert.Null(await db.KeyTimeToLiveAsync(key));
        Assert.False(await db.KeyExpireAsync(key, TimeSpan.FromSeconds(10)));
        Assert.True(await db.StringSetAsync(key, "v"));
        Assert.Null(await db.KeyTimeToLiveAsync(key));
        Assert.False(await db.KeyPersistAsync(key));

        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromSeconds(50)));
        Assert.InRange(await db.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(50));
        Assert.True(await db.KeyExpireAsync(key, DateTime.UtcNow.AddSeconds(200)));
        Assert.InRange(await db.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromSeconds(190), TimeSpan.FromSeconds(201));

        Assert.True(await db.KeyPersistAsync(key));
        Assert.Null(await db.KeyTimeToLiveAsync(key));
        Assert.Equal("v", (string?)await db.StringGetAsync(key));

        // A deadline that passes: the key goes (poll: the test waits for real time here).
        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromMilliseconds(200)));
        var deadline = DateTime.UtcNow + ExpiryDeadline;
        while (await db.KeyExistsAsync(key))
        {
            Assert.True(DateTime.UtcNow < deadline, $"a key with a 200 ms deadline still exists after {ExpiryDeadline}; TTL {await db.KeyTimeToLiveAsync(key)}");
            await Task.Delay(20);
        }

        Assert.True((await db.StringGetAsync(key)).IsNull);
    }

    /// <summary>KeyDelete sends UNLINK (to a server of version 4 or later), which is DEL to us.</summary>
    [Fact(Timeout = Timeout)]
    public async Task KeyDeleteAndKeyExists_OneAndMany_CountWhatExists()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var keys = Enumerable.Range(0, 10).Select(i => Key("d" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        foreach (var key in keys)
        {
            Assert.True(await db.StringSetAsync(key, "v"));
        }

        Assert.True(await db.KeyExistsAsync(keys[0]));
        Assert.False(await db.KeyExistsAsync(Key("missing")));
        Assert.Equal(10, await db.KeyExistsAsync([.. keys, Key("missing")]));

        Assert.True(await db.KeyDeleteAsync(keys[0]));
        Assert.False(await db.KeyDeleteAsync(keys[0]));
        Assert.False(await db.KeyExistsAsync(keys[0]));

        // Keys of many slots in one command, some missing.
        Assert.Equal(9, await db.KeyDeleteAsync([.. keys, Key("missing")]));
        Assert.Equal(0, await db.KeyExistsAsync(keys));
    }

    [Fact(Timeout = Timeout)]
    public async Task StringIncrementAndDecrement_LongAndDouble()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var counter = Key("counter");

        Assert.Equal(1, await db.StringIncrementAsync(counter));
        Assert.Equal(42, await db.StringIncrementAsync(counter, 41));
        Assert.Equal(41, await db.StringDecrementAsync(counter));
        Assert.Equal(-9, await db.StringDecrementAsync(counter, 50));
        Assert.Equal("-9", (string?)await db.StringGetAsync(counter));

        var real = Key("real");
        Assert.Equal(10.5, await db.StringIncrementAsync(real, 10.5));

        // The client sends 0.1 as "0.10000000000000001" (round-trip digits); in Redis's long
        // double arithmetic that adds up to 10.60000000000000001, which reads back as 10.6.
        Assert.Equal(10.6, await db.StringIncrementAsync(real, 0.1));
        Assert.Equal("10.60000000000000001", (string?)await db.StringGetAsync(real));
        Assert.Equal(9.1, await db.StringDecrementAsync(real, 1.5));

        Assert.True(await db.StringSetAsync(Key("text"), "abc"));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync(Key("text")));
        Assert.Equal("ERR value is not an integer or out of range", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync(Key("text"), 1.5));
        Assert.Equal("ERR value is not a valid float", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task StringAppendGetRangeSetRangeAndLength_Work()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("s");

        Assert.Equal(0, await db.StringLengthAsync(key));
        Assert.Equal(5, await db.StringAppendAsync(key, "Hello"));
        Assert.Equal(11, await db.StringAppendAsync(key, " World"));
        Assert.Equal(11, await db.StringLengthAsync(key));
        Assert.Equal("Hello", (string?)await db.StringGetRangeAsync(key, 0, 4));
        Assert.Equal("rld", (string?)await db.StringGetRangeAsync(key, -3, -1));
        Assert.Equal(string.Empty, (string?)await db.StringGetRangeAsync(key, 20, 30));

        Assert.Equal(11, (long)await db.StringSetRangeAsync(key, 6, "Redis"));
        Assert.Equal("Hello Redis", (string?)await db.StringGetAsync(key));

        // Past the end pads with zero bytes.
        Assert.Equal(5, (long)await db.StringSetRangeAsync(Key("padded"), 3, "ab"));
        Assert.Equal(new byte[] { 0, 0, 0, (byte)'a', (byte)'b' }, (byte[]?)await db.StringGetAsync(Key("padded")));
    }

    [Fact(Timeout = Timeout)]
    public async Task StringGetSetAndGetDelete_ReturnTheOldValue()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("k");

        Assert.True((await db.StringGetSetAsync(key, "one")).IsNull);
        Assert.Equal("one", (string?)await db.StringGetSetAsync(key, "two"));
        Assert.Equal("two", (string?)await db.StringGetDeleteAsync(key));
        Assert.False(await db.KeyExistsAsync(key));
        Assert.True((await db.StringGetDeleteAsync(key)).IsNull);
    }

    [Fact(Timeout = Timeout)]
    public async Task StringSetAndGet_OfManyKeys_UseMSetAndMGetAcrossSlots()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var pairs = Enumerable.Range(0, 50)
            .Select(i => new KeyValuePair<RedisKey, RedisValue>(Key("m" + i.ToString(CultureInfo.InvariantCulture)), "v" + i.ToString(CultureInfo.InvariantCulture)))
            .ToArray();

        Assert.True(await db.StringSetAsync(pairs));
        var values = await db.StringGetAsync([.. pairs.Select(p => p.Key), Key("missing")]);
        Assert.Equal(51, values.Length);
        Assert.Equal(pairs.Select(p => (string?)p.Value), values.Take(50).Select(v => (string?)v));
        Assert.True(values[50].IsNull);
    }

    [Fact(Timeout = Timeout)]
    public async Task StringSet_OfManyKeysWhenNotExists_IsAllOrNothing()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        KeyValuePair<RedisKey, RedisValue>[] first = [new(TaggedKey("t", "a"), "1"), new(TaggedKey("t", "b"), "2")];
        KeyValuePair<RedisKey, RedisValue>[] second = [new(TaggedKey("t", "b"), "x"), new(TaggedKey("t", "c"), "3")];

        Assert.True(await db.StringSetAsync(first, When.NotExists));

        // b exists, so neither b nor c is written.
        Assert.False(await db.StringSetAsync(second, When.NotExists));
        var values = await db.StringGetAsync([TaggedKey("t", "a"), TaggedKey("t", "b"), TaggedKey("t", "c")]);
        Assert.Equal(["1", "2", null], values.Select(v => (string?)v));
    }

    [Fact(Timeout = Timeout)]
    public async Task StringGetWithExpiry_ReturnsValueAndTimeToLive()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync(Key("e"), "v", TimeSpan.FromSeconds(100)));
        Assert.True(await db.StringSetAsync(Key("p"), "w"));

        var expiring = await db.StringGetWithExpiryAsync(Key("e"));
        Assert.Equal("v", (string?)expiring.Value);
        Assert.InRange(expiring.Expiry ?? TimeSpan.Zero, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(100));

        var persistent = await db.StringGetWithExpiryAsync(Key("p"));
        Assert.Equal("w", (string?)persistent.Value);
        Assert.Null(persistent.Expiry);

        var missing = await db.StringGetWithExpiryAsync(Key("missing"));
        Assert.True(missing.Value.IsNull);
        Assert.Null(missing.Expiry);
    }
}

using Orleans.KeyValue.IntegrationTests.Fixtures;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>OBJECT ENCODING, REFCOUNT and FREQ where Redis's answer follows from what the key holds, compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ObjectTests(DifferentialServersFixture servers)
{
    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("12345")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775808")]
    [InlineData("007")]
    [InlineData("hello")]
    [InlineData("12345678901234567890123456789012345678901234")]
    [InlineData("123456789012345678901234567890123456789012345")]
    [InlineData("")]
    public async Task StringsSetWithSet_HaveRedisEncodingAndRefCount(string value)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertSameAsync("SET", key, value);
        await run.AssertSameAsync("OBJECT", "ENCODING", key);
        await run.AssertSameAsync("OBJECT", "REFCOUNT", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hashes_MissingKeysAndErrors_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        string small = run.Key("small"), wide = run.Key("wide"), big = run.Key("big");
        await run.AssertSameAsync("HSET", small, "f", "v");
        await run.AssertSameAsync("HSET", wide, "f", new string('x', 65));
        await run.AssertSameAsync(["HSET", big, .. Enumerable.Range(0, 513).SelectMany(i => new[] { "f" + i, "v" })]);
        foreach (var key in new[] { small, wide, big, run.Key("missing") })
        {
            await run.AssertSameAsync("OBJECT", "ENCODING", key);
            await run.AssertSameAsync("OBJECT", "REFCOUNT", key);
        }

        await run.AssertSameAsync("OBJECT", "FREQ", small);
        await run.AssertSameAsync("OBJECT", "ENCODING");
        await run.AssertSameAsync("OBJECT", "BOGUS", small);
    }
}

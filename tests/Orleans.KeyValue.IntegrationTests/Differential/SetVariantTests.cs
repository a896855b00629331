using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>SETNX, SETEX and PSETEX compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class SetVariantTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNxCommand_OnMissingKey_ReturnsOneAndSets()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Integer(1), "SETNX", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNxCommand_OnExistingKey_ReturnsZeroAndKeepsValue()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Integer(0), "SETNX", key, "new");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "GET", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("SETNX", "k")]
    [InlineData("SETNX", "k", "v", "extra")]
    public async Task SetNxCommand_WithWrongArgumentCount_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("setnx"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetEx_SetsValueAndTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SETEX", key, "100", "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetEx_OnExistingKey_OverwritesValueAndTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old", "EX", "1000");
        await run.AssertReplyAsync(RedisReply.Ok, "SETEX", key, "100", "new");
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    public async Task SetEx_InvalidExpireTime_ReturnsInvalidExpireTimeError(string seconds)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime("setex"), "SETEX", key, seconds, "v");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public async Task SetEx_NonIntegerSeconds_ReturnsNotAnIntegerError(string seconds)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "SETEX", run.Key(), seconds, "v");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("SETEX", "k", "10")]
    [InlineData("SETEX", "k", "10", "v", "extra")]
    public async Task SetEx_WithWrongArgumentCount_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("setex"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task PSetEx_SetsValueAndTtlInMilliseconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "PSETEX", key, "100000", "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    public async Task PSetEx_InvalidExpireTime_ReturnsInvalidExpireTimeError(string milliseconds)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime("psetex"), "PSETEX", key, milliseconds, "v");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task PSetEx_NonIntegerMilliseconds_ReturnsNotAnIntegerError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "PSETEX", run.Key(), "ten", "v");
    }
}

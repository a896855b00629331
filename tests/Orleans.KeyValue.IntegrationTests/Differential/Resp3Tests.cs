using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>HELLO and RESP3 replies; HELLO's own reply is compared by shape (see <see cref="HelloReplyShape"/>).</summary>
[Collection(DifferentialCollection.Name)]
public sealed class Resp3Tests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hello3_RepliesWithMapOfServerFields()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hello_WithoutVersion_RepliesInCurrentProtocol()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 2, "HELLO");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hello3_ThenGetOfMissingKey_ReturnsResp3Null()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3");
        await run.AssertReplyAsync(RedisReply.Null, "GET", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hello3_ThenSetAndGet_RepliesAsInResp2()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
        await run.AssertReplyAsync(RedisReply.Null, "SET", run.Key("other"), "v", "XX");
        await run.AssertReplyAsync(RedisReply.Null, "SET", run.Key("new"), "v", "GET");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("return false", "_\r\n")]
    [InlineData("return nil", "_\r\n")]
    [InlineData("return true", ":1\r\n")]
    [InlineData("return {1,2}", "*2\r\n:1\r\n:2\r\n")]
    public async Task Hello3_ThenEval_ConvertsLikeRedis(string script, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3");
        await run.AssertReplyAsync(reply, "EVAL", script, "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Hello2_AfterHello3_ReturnsToResp2Nil()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3");
        await HelloReplyShape.AssertBothAsync(run, 2, "HELLO", "2");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("4", "-NOPROTO unsupported protocol version\r\n")]
    [InlineData("1", "-NOPROTO unsupported protocol version\r\n")]
    [InlineData("abc", "-ERR Protocol version is not an integer or out of range\r\n")]
    public async Task Hello_WithUnsupportedVersion_ReturnsError(string version, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(reply, "HELLO", version);
        await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
    }
}

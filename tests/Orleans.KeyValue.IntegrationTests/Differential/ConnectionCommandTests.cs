using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>PING, ECHO and SELECT compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ConnectionCommandTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Ping_WithoutArgument_ReturnsPong()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Pong, "PING");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Ping_WithMessage_ReturnsMessageAsBulk()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Bulk("hello world"), "PING", "hello world");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Ping_InLowerCase_ReturnsPong()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Pong, "ping");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Ping_WithTwoArguments_ReturnsWrongArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("ping"), "PING", "a", "b");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Echo_ReturnsMessageAsBulk()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Bulk("a b\r\nc"), "ECHO", "a b\r\nc");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Echo_EmptyMessage_ReturnsEmptyBulk()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("$0\r\n\r\n", "ECHO", string.Empty);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("ECHO")]
    [InlineData("ECHO", "a", "b")]
    public async Task Echo_WithWrongArgumentCount_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("echo"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Select_Zero_ReturnsOk()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SELECT", "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Select_One_IsOutOfRange_AsOnAOneDatabaseRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR DB index is out of range\r\n", "SELECT", "1");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("16", "-ERR DB index is out of range\r\n")]
    [InlineData("-1", "-ERR DB index is out of range\r\n")]
    [InlineData("abc", RedisReply.NotAnInteger)]
    public async Task Select_InvalidIndex_ReturnsError(string index, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(reply, "SELECT", index);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task PipelinedCommands_ReplyInOrder()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        byte[] pipeline =
        [
            .. RawRespConnection.EncodeCommand("SET", key, "1"),
            .. RawRespConnection.EncodeCommand("GET", key),
            .. RawRespConnection.EncodeCommand("DEL", key),
            .. RawRespConnection.EncodeCommand("GET", key),
            .. RawRespConnection.EncodeCommand("PING"),
        ];
        await run.AssertRawReplyAsync(RedisReply.Ok, pipeline);
        await run.AssertSameNextReplyAsync("2nd reply of the pipeline (GET)");
        await run.AssertSameNextReplyAsync("3rd reply of the pipeline (DEL)");
        await run.AssertSameNextReplyAsync("4th reply of the pipeline (GET)");
        await run.AssertSameNextReplyAsync("5th reply of the pipeline (PING)");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task CommandSplitAcrossWrites_IsAnsweredOnceComplete()
    {
        await using var run = await servers.OpenRunAsync();
        var request = RawRespConnection.EncodeCommand("ECHO", "split");
        var half = request.Length / 2;
        await Task.WhenAll(run.Expected.WriteRawAsync(request[..half]), run.Actual.WriteRawAsync(request[..half]));
        await run.AssertRawReplyAsync(RedisReply.Bulk("split"), request[half..]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Quit_ReturnsOkAndCloses()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "QUIT");
        await run.AssertBothClosedAsync(TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_WithoutConfiguredPassword_ReturnsError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
            "AUTH", "anything");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_DefaultUserWithoutConfiguredPassword_AcceptsAnyPassword()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertSameAsync("AUTH", "default", "anything");
        await run.AssertReplyAsync(RedisReply.Pong, "PING");
    }
}

using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// Inline commands and malformed requests, sent as raw bytes to both servers. Protocol errors
/// end the connection, so each test opens its own.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class InlineAndProtocolTests(DifferentialServersFixture servers)
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(5);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("PING\r\n", RedisReply.Pong)]
    [InlineData("ping\n", RedisReply.Pong)]
    [InlineData("\r\nPING\r\n", RedisReply.Pong)]
    [InlineData("   \r\nPING\r\n", RedisReply.Pong)]
    [InlineData("PING   hello  \r\n", "$5\r\nhello\r\n")]
    [InlineData("PING\thello\r\n", "$5\r\nhello\r\n")]
    [InlineData("ECHO \"a\\x41b\"\r\n", "$3\r\naAb\r\n")]
    [InlineData("ECHO \"tab\\there\"\r\n", "$8\r\ntab\there\r\n")]
    [InlineData("ECHO 'single \"quoted\"'\r\n", "$15\r\nsingle \"quoted\"\r\n")]
    [InlineData("PING a b\r\n", "-ERR wrong number of arguments for 'ping' command\r\n")]
    [InlineData("foo bar\r\n", "-ERR unknown command 'foo', with args beginning with: 'bar' \r\n")]
    public async Task InlineCommand_IsParsedLikeRedis(string request, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync(reply, Bytes(request));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task InlineSet_WithQuotedKeyContainingSpace_StoresUnderThatKey()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key("a b");
        await run.AssertRawReplyAsync(RedisReply.Ok, Bytes($"set \"{key}\" x\r\n"));
        await run.AssertReplyAsync(RedisReply.Bulk("x"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task InlineCommands_Pipelined_ReplyInOrder()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key("x y");
        await run.AssertRawReplyAsync(RedisReply.Ok, Bytes($"set '{key}' z\r\nget '{key}'\r\nPING\r\n"));
        await run.AssertSameNextReplyAsync("2nd inline reply (get)");
        await run.AssertSameNextReplyAsync("3rd inline reply (PING)");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task InlineAndMultibulk_Mixed_ReplyInOrder()
    {
        await using var run = await servers.OpenRunAsync();
        byte[] request = [.. Bytes("PING\r\n"), .. RawRespConnection.EncodeCommand("ECHO", "bulk"), .. Bytes("ECHO inline\r\n")];
        await run.AssertRawReplyAsync(RedisReply.Pong, request);
        await run.AssertSameNextReplyAsync("2nd reply (multibulk ECHO)");
        await run.AssertSameNextReplyAsync("3rd reply (inline ECHO)");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("*-1\r\nPING\r\n")]
    [InlineData("*0\r\nPING\r\n")]
    [InlineData("*-5\r\nPING\r\n")]
    public async Task EmptyOrNullMultibulk_IsIgnored(string request)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync(RedisReply.Pong, Bytes(request));
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$600000000\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n")]
    [InlineData("*1\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n")]
    [InlineData("*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n")]
    [InlineData("set \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    [InlineData("set \"a\"b c\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task ProtocolError_RepliesWithErrorThenCloses(string request, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync(reply, Bytes(request));
        await run.AssertBothClosedAsync(CloseWithin);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ProtocolError_AfterGoodCommand_AnswersTheGoodOneFirst()
    {
        await using var run = await servers.OpenRunAsync();
        byte[] request = [.. RawRespConnection.EncodeCommand("PING"), .. Bytes("*x\r\n")];
        await run.AssertRawReplyAsync(RedisReply.Pong, request);
        await run.AssertSameNextReplyAsync("reply to the malformed request");
        await run.AssertBothClosedAsync(CloseWithin);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task InlineRequest_LongerThan64KilobytesWithoutNewline_RepliesWithErrorThenCloses()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync("-ERR Protocol error: too big inline request\r\n", Bytes(new string('x', 70_000)));
        await run.AssertBothClosedAsync(CloseWithin);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task BulkNotEndedByCrlf_IsAcceptedLikeRedis()
    {
        // Redis skips the two bytes after a bulk string without looking at them.
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync(RedisReply.Pong, Bytes("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"));
        await run.AssertSameNextReplyAsync("reply to the second PING");
    }
}

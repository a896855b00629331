using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// EVAL, EVALSHA and SCRIPT: the distributed lock pattern from the Redis documentation and
/// the Lua-to-RESP conversions, compared with redis-server.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class ScriptingTests(DifferentialServersFixture servers)
{
    private const string Unlock =
        "if redis.call(\"get\",KEYS[1]) == ARGV[1] then return redis.call(\"del\",KEYS[1]) else return 0 end";

    private static string BulkText(byte[] reply)
    {
        Assert.True(RespReplyReader.TryRead(reply, out var frame, out _), $"Not a whole reply: \"{RespDisplay.Escape(reply)}\"");
        Assert.Equal(RespFrameType.BulkString, frame.Type);
        return frame.Text;
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Lock_SecondAcquire_ReturnsNil()
    {
        await using var run = await servers.OpenRunAsync();
        var resource = run.Key("resource");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-1", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Nil, "SET", resource, "token-2", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Bulk("token-1"), "GET", resource);
        await run.AssertReplyAsync(RedisReply.Integer(30), "TTL", resource);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlock_WithWrongToken_ReturnsZeroAndKeepsLock()
    {
        await using var run = await servers.OpenRunAsync();
        var resource = run.Key("resource");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-1", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EVAL", Unlock, "1", resource, "token-2");
        await run.AssertReplyAsync(RedisReply.Bulk("token-1"), "GET", resource);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlock_WithRightToken_ReturnsOneAndReleases()
    {
        await using var run = await servers.OpenRunAsync();
        var resource = run.Key("resource");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-1", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Integer(1), "EVAL", Unlock, "1", resource, "token-1");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", resource);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-2", "NX", "PX", "30000");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlock_OnMissingLock_ReturnsZero()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), "EVAL", Unlock, "1", run.Key("resource"), "token-1");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ScriptLoad_ReturnsSha1OfScript()
    {
        await using var run = await servers.OpenRunAsync();
        var reply = await run.AssertSameAsync("SCRIPT", "LOAD", Unlock);
        Assert.Matches("^[0-9a-f]{40}$", BulkText(reply));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnlockViaEvalSha_WithWrongThenRightToken_ReturnsZeroThenOne()
    {
        await using var run = await servers.OpenRunAsync();
        var resource = run.Key("resource");
        var sha = BulkText(await run.AssertSameAsync("SCRIPT", "LOAD", Unlock));
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-1", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EVALSHA", sha, "1", resource, "token-2");
        await run.AssertReplyAsync(RedisReply.Integer(1), "EVALSHA", sha, "1", resource, "token-1");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", resource);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task EvalSha_WithUpperCaseSha_FindsTheScript()
    {
        await using var run = await servers.OpenRunAsync();
        var sha = BulkText(await run.AssertSameAsync("SCRIPT", "LOAD", "return 'loaded'"));
        await run.AssertReplyAsync(RedisReply.Bulk("loaded"), "EVALSHA", sha.ToUpperInvariant(), "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task EvalSha_AfterEval_FindsTheScript()
    {
        await using var run = await servers.OpenRunAsync();
        const string Script = "return 'cached by eval'";
        await run.AssertReplyAsync(RedisReply.Bulk("cached by eval"), "EVAL", Script, "0");
        var sha = BulkText(await run.AssertSameAsync("EVAL", "return redis.sha1hex(ARGV[1])", "0", Script));
        await run.AssertReplyAsync(RedisReply.Bulk("cached by eval"), "EVALSHA", sha, "0");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("ffffffffffffffffffffffffffffffffffffffff")]
    [InlineData("abc")]
    public async Task EvalSha_OfUnknownSha_ReturnsNoScript(string sha)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-NOSCRIPT No matching script. Please use EVAL.\r\n", "EVALSHA", sha, "1", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ScriptExists_ReportsLoadedAndUnknownScripts()
    {
        await using var run = await servers.OpenRunAsync();
        var sha = BulkText(await run.AssertSameAsync("SCRIPT", "LOAD", "return 'exists'"));
        await run.AssertReplyAsync("*2\r\n:1\r\n:0\r\n", "SCRIPT", "EXISTS", sha, "ffffffffffffffffffffffffffffffffffffffff");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("return redis.status_reply('FINE')", "+FINE\r\n")]
    [InlineData("return {ok='fine'}", "+fine\r\n")]
    [InlineData("return redis.error_reply('MY error')", "-MY error\r\n")]
    [InlineData("return redis.error_reply('no')", "-ERR no\r\n")]
    [InlineData("return {err='boom'}", "-boom\r\n")]
    [InlineData("return {1,2,{3,'x'}}", "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n")]
    [InlineData("return {}", "*0\r\n")]
    [InlineData("return {1,nil,3}", "*1\r\n:1\r\n")]
    [InlineData("return {true,false,'a'}", "*3\r\n:1\r\n$-1\r\n$1\r\na\r\n")]
    [InlineData("return true", ":1\r\n")]
    [InlineData("return false", "$-1\r\n")]
    [InlineData("return nil", "$-1\r\n")]
    [InlineData("return 3.7", ":3\r\n")]
    [InlineData("return -3.7", ":-3\r\n")]
    [InlineData("return 9007199254740993", ":9007199254740992\r\n")]
    [InlineData("return 'hello'", "$5\r\nhello\r\n")]
    [InlineData("return tonumber('12')", ":12\r\n")]
    public async Task Eval_ConvertsLuaValueToRespLikeRedis(string script, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(reply, "EVAL", script, "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_SeesKeysAndArguments()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(
            $"*4\r\n${key.Length}\r\n{key}\r\n$3\r\narg\r\n:1\r\n:2\r\n",
            "EVAL", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "1", key, "arg", "second");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_SetWithOptionsInsideScript_IsVisibleOutside()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "EVAL", "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])", "1", key, "v", "100000");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_NilFromRedisCall_IsFalseInLua()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Bulk("false"), "EVAL", "return tostring(redis.call('GET', KEYS[1]))", "1", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_StatusFromRedisCall_IsTableWithOkField()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Bulk("OK"), "EVAL", "return redis.call('SET', KEYS[1], 'v')['ok']", "1", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("-1", "-ERR Number of keys can't be negative\r\n")]
    [InlineData("2", "-ERR Number of keys can't be greater than number of args\r\n")]
    [InlineData("abc", RedisReply.NotAnInteger)]
    public async Task Eval_WithInvalidNumberOfKeys_ReturnsError(string numberOfKeys, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(reply, "EVAL", "return 1", numberOfKeys, run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_WithSyntaxError_ReturnsCompileError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n",
            "EVAL", "return 'x' +", "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_RedisCallOfUnknownCommand_ReturnsErrorNamingTheScript()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertSameAsync("EVAL", "return redis.call('nosuch')", "1", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_PcallWithWrongArity_ReturnsErrorAsValue()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            "-ERR Wrong number of args calling Redis command from script\r\n",
            "EVAL", "return redis.pcall('GET')", "1", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("return redis.call('SET', KEYS[1], 'v', 'EX', '0')")]
    [InlineData("return redis.call('SET', KEYS[1], 'v', 'NX', 'XX')")]
    [InlineData("return redis.call('GET', KEYS[1], 'extra')")]
    [InlineData("return nil + 1")]
    public async Task Eval_ErrorRaisedInScript_MatchesRedis(string script)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertSameAsync("EVAL", script, "1", key);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_PcallOfFailingSet_ReturnsTheCommandError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            RedisReply.InvalidExpireTime("set"),
            "EVAL", "return redis.pcall('SET', KEYS[1], 'v', 'EX', '0')", "1", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_WithKeysOfTwoSlots_IsRefusedAsRedisClusterRefusesCrossSlotKeys()
    {
        // Deliberate difference from a single-node Redis (see the README): as in Redis Cluster,
        // a script's keys must share a slot ("cross:a" is in slot 5961, "cross:b" in 10026).
        var run = servers;
        await using var ours = await RawRespConnection.ConnectAsync(run.UnderTest.Port);
        var reply = await ours.CommandAsync("EVAL", "redis.call('SET', KEYS[1], 'one'); return redis.call('GET', KEYS[2])", "2", "cross:a", "cross:b");
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot\r\n", System.Text.Encoding.UTF8.GetString(reply));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ScriptLoad_OfInvalidScript_ReturnsCompileError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n",
            "SCRIPT", "LOAD", "return +");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ScriptFlush_ThenEvalSha_ReturnsNoScript()
    {
        await using var run = await servers.OpenRunAsync();
        var sha = BulkText(await run.AssertSameAsync("SCRIPT", "LOAD", "return 'to be flushed'"));
        await run.AssertReplyAsync(RedisReply.Ok, "SCRIPT", "FLUSH");
        await run.AssertReplyAsync("-NOSCRIPT No matching script. Please use EVAL.\r\n", "EVALSHA", sha, "0");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_WithSeveralKeysOfOneSlot_RunsOverAllOfThem()
    {
        await using var run = await servers.OpenRunAsync();
        string a = run.Key("{t}a"), b = run.Key("{t}b"), c = run.Key("{t}c");
        await run.AssertSameAsync("EVAL", "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[2]); return redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])", "3", a, b, c, "1", "2");
        await run.AssertSameAsync("EVAL", "redis.call('INCRBY', KEYS[1], 5); redis.call('DECRBY', KEYS[2], 5); return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}", "2", a, b);
        await run.AssertSameAsync("EVAL", "return redis.call('MSETNX', KEYS[1], 'x', KEYS[2], 'y')", "2", b, c);
        await run.AssertSameAsync("EVAL", "return redis.call('MSET', KEYS[1], 'x', KEYS[2], 'y')", "2", b, c);
        await run.AssertSameAsync("EVAL", "return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])", "3", a, b, c);

        // A key of the slot the script did not declare: Redis allows it, and so does a script
        // over a slot here (the whole slot is held).
        await run.AssertSameAsync("EVAL", "redis.call('SET', KEYS[1] .. '2', 'u'); return redis.call('GET', KEYS[1] .. '2')", "2", a, b);
        await run.AssertSameAsync("EVAL", "return redis.pcall('INCR', KEYS[1])", "2", run.Key("{t}s"), b);
        await run.AssertSameAsync("GET", a + "2");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Eval_OverOneSlot_FailingMidway_KeepsTheWritesBeforeTheError_AsRedis()
    {
        // Redis does not roll a script back: what it wrote before an error raised by redis.call stays.
        await using var run = await servers.OpenRunAsync();
        string a = run.Key("{t}a"), b = run.Key("{t}b");
        await run.AssertSameAsync("SET", b, "notanumber");
        await run.AssertSameAsync("EVAL", "redis.call('SET', KEYS[1], 'written'); return redis.call('INCR', KEYS[2])", "2", a, b);
        await run.AssertSameAsync("GET", a);
    }
}

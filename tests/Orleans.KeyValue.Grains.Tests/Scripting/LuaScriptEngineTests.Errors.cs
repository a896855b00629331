namespace Orleans.KeyValue.Grains.Tests.Scripting;

public sealed partial class LuaScriptEngineTests
{
    private const string UnknownCommand = "ERR Unknown Redis command called from script";

    [Fact]
    public void Call_ErrorReply_EndsScriptWithThatErrorAndPosition()
    {
        const string Script = "return redis.call('nosuch')";

        KvReply reply = Eval(Script);

        Assert.Equal(KvReply.FromError($"{UnknownCommand} script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1."), reply);
    }

    [Fact]
    public void Call_ErrorReplyOnLaterLine_ReportsThatLine()
    {
        const string Script = "local a = 1\nlocal b = 2\nreturn redis.call('nosuch')";

        KvReply reply = Eval(Script);

        Assert.Equal(KvReply.FromError($"{UnknownCommand} script: {Sha(Script)}, on @user_script:3."), reply);
    }

    [Fact]
    public void Call_ErrorReplyNotInTailPosition_EndsScriptWithThatErrorAndPosition()
    {
        const string Script = "local v = redis.call('nosuch') return v";

        KvReply reply = Eval(Script, call: _ => KvReply.FromError("WRONGTYPE Operation against a key holding the wrong kind of value"));

        Assert.Equal(
            KvReply.FromError($"WRONGTYPE Operation against a key holding the wrong kind of value script: {Sha(Script)}, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Call_ErrorInsideCoroutine_EndsScriptWithThatError()
    {
        const string Script = "return coroutine.wrap(function() return redis.call('nosuch') end)()";

        KvReply reply = Eval(Script);

        Assert.Equal(KvReply.FromError($"{UnknownCommand} script: {Sha(Script)}, on @user_script:1."), reply);
    }

    [Fact]
    public void Call_ErrorReplyWithoutCode_GetsErr()
    {
        KvReply reply = Eval("local ok, e = pcall(redis.call, 'x') return e", call: _ => KvReply.FromError("oops\r\n"));

        Assert.Equal(KvReply.FromBulk("ERR oops"), reply);
    }

    [Fact]
    public void Call_ErrorCaughtByPcall_IsItsMessageString()
    {
        KvReply reply = Eval("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), type(e), e}");

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("false"), KvReply.FromBulk("string"), KvReply.FromBulk(UnknownCommand)]), reply);
    }

    [Fact]
    public void Pcall_ErrorReply_IsErrTable()
    {
        KvReply reply = Eval("local r = redis.pcall('nosuch') return {type(r), r.err}");

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("table"), KvReply.FromBulk(UnknownCommand)]), reply);
    }

    [Fact]
    public void Pcall_ErrorReplyReturned_IsErrorReplyWithoutPosition()
    {
        Assert.Equal(KvReply.FromError(UnknownCommand), Eval("return redis.pcall('nosuch')"));
    }

    [Fact]
    public void Pcall_Success_ReturnsReply()
    {
        Assert.Equal(KvReply.FromInteger(5), Eval("return redis.pcall('INCR', 'k')", call: _ => KvReply.FromInteger(5)));
    }

    [Fact]
    public void Call_WithoutArguments_RaisesRedisError()
    {
        KvReply reply = Eval("return redis.call()");

        Assert.Equal(
            KvReply.FromError("ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Call_WithTableArgument_RaisesRedisError()
    {
        KvReply reply = Eval("return redis.call('set','a',{})");

        Assert.Equal(
            KvReply.FromError("ERR Lua redis lib command arguments must be strings or integers script: f852c2a3a94e72447f50c0bcf1c270021162ffaf, on @user_script:1."),
            reply);
    }

    [Theory]
    [InlineData("return redis.pcall()", "ERR Please specify at least one argument for this redis lib call")]
    [InlineData("return redis.pcall('set', true)", "ERR Lua redis lib command arguments must be strings or integers")]
    public void Pcall_WithBadArguments_ReturnsErrTable(string script, string error)
    {
        Assert.Equal(KvReply.FromError(error), Eval(script));
    }

    [Fact]
    public void Call_WithBadArguments_DoesNotRunTheCommand()
    {
        int calls = 0;

        Eval("return redis.pcall('set', nil)", call: _ =>
        {
            calls++;
            return KvReply.Ok;
        });

        Assert.Equal(0, calls);
    }

    [Fact]
    public void Run_ArithmeticOnNil_RepliesLikeRedis()
    {
        KvReply reply = Eval("return nil + 1");

        Assert.Equal(
            KvReply.FromError("ERR user_script:1: attempt to perform arithmetic on a nil value script: d13bc48d895ba57f297c4db70c1d256548a54e2d, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Run_ErrorCall_RepliesLikeRedis()
    {
        KvReply reply = Eval("error('boom')");

        Assert.Equal(
            KvReply.FromError("ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Run_ErrorInNestedFunction_ReportsItsLine()
    {
        const string Script = "local function f()\n  error('deep')\nend\nf()";

        KvReply reply = Eval(Script);

        Assert.Equal(KvReply.FromError($"ERR user_script:2: deep script: {Sha(Script)}, on @user_script:2."), reply);
    }

    [Fact]
    public void Run_ErrorWithTable_RepliesWithItsErr()
    {
        KvReply reply = Eval("error({err='MY custom'})");

        Assert.Equal(KvReply.FromError("MY custom script: 784d3ae9e6566ecb57138d89d618d989007a9bc6, on @user_script:1."), reply);
    }

    [Fact]
    public void Run_ErrorWithTableWithoutErr_RepliesUnknownError()
    {
        KvReply reply = Eval("error({x = 1})");

        Assert.Equal(KvReply.FromError($"ERR unknown error script: {Sha("error({x = 1})")}, on @user_script:1."), reply);
    }

    [Fact]
    public void Run_ErrorWithNil_RepliesLikeRedis()
    {
        Assert.Equal(KvReply.FromError("ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1."), Eval("error()"));
    }

    [Fact]
    public void Run_BadArgumentToLibrary_ReportsScriptLine()
    {
        KvReply reply = Eval("return string.rep()");

        Assert.Equal(
            KvReply.FromError("ERR user_script:1: bad argument #1 to 'rep' (string expected, got no value) script: 312a592c4be4cbcb6748209b815c8eb090f3ca71, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Run_ErrorInCoroutineWrap_RepliesLikeRedis()
    {
        KvReply reply = Eval("return coroutine.wrap(function() error('in co') end)()");

        Assert.Equal(
            KvReply.FromError("ERR user_script:1: user_script:1: in co script: 088901c0683486eee1d11ff380a68bb1d820fdce, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Run_XpcallHandler_GetsTheErrorAndItsResultIsReturned()
    {
        KvReply reply = Eval("local ok, v = xpcall(function() error('x', 0) end, function(e) return 'handled ' .. e end) return {tostring(ok), v}");

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("false"), KvReply.FromBulk("handled x")]), reply);
    }

    [Fact]
    public void Run_XpcallSuccess_ReturnsAllResults()
    {
        KvReply reply = Eval("return {xpcall(function(a, b) return a, b end, function(e) return e end, 1, 2)}");

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(1), KvReply.FromInteger(1), KvReply.FromInteger(2)]), reply);
    }

    [Fact]
    public void Run_PcallOfErrorTable_GivesItsErrString()
    {
        Assert.Equal(KvReply.FromBulk("X y"), Eval("local ok, e = pcall(function() error({err='X y'}) end) return e"));
    }

    [Fact]
    public void Run_PcallSuccess_ReturnsAllResults()
    {
        KvReply reply = Eval("return {pcall(function() return 1, 2 end)}");

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(1), KvReply.FromInteger(1), KvReply.FromInteger(2)]), reply);
    }

    // The redis library's helpers

    [Theory]
    [InlineData("return redis.error_reply('My')", "ERR My")]
    [InlineData("return redis.error_reply('ERR My')", "ERR My")]
    [InlineData("return redis.error_reply('WRONG thing')", "WRONG thing")]
    [InlineData("return redis.error_reply('-NOPE')", "ERR NOPE")]
    [InlineData("return redis.error_reply()", "ERR wrong number or type of arguments")]
    [InlineData("return redis.error_reply(1)", "ERR wrong number or type of arguments")]
    [InlineData("return redis.status_reply()", "ERR wrong number or type of arguments")]
    public void ErrorReply_RepliesLikeRedis(string script, string error)
    {
        Assert.Equal(KvReply.FromError(error), Eval(script));
    }

    [Fact]
    public void ErrorReply_IsErrTable()
    {
        Assert.Equal(KvReply.FromBulk("ERR My"), Eval("return redis.error_reply('My').err"));
    }

    [Fact]
    public void StatusReply_IsOkTableAndStatusReply()
    {
        Assert.Equal(KvReply.FromStatus("Fine"), Eval("return redis.status_reply('Fine')"));
        Assert.Equal(KvReply.FromBulk("Fine"), Eval("return redis.status_reply('Fine').ok"));
    }

    [Theory]
    [InlineData("return redis.sha1hex('return 1')", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")]
    [InlineData("return redis.sha1hex('')", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("return redis.sha1hex(1)", "356a192b7913b04c54574d18c28d46e6395428ab")]
    [InlineData("return redis.sha1hex({})", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    public void Sha1hex_InScript_MatchesRedis(string script, string sha)
    {
        Assert.Equal(KvReply.FromBulk(sha), Eval(script));
    }

    [Fact]
    public void Sha1hex_WithoutArgument_RaisesRedisError()
    {
        Assert.Equal(
            KvReply.FromError("ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @user_script:1."),
            Eval("return redis.sha1hex()"));
    }

    [Fact]
    public void ReplicateCommands_ReturnsTrue()
    {
        Assert.Equal(KvReply.FromInteger(1), Eval("return redis.replicate_commands()"));
    }

    [Theory]
    [InlineData("redis.set_repl()", "ERR redis.set_repl() requires two arguments. script: e39b47fd8e0d5dc1c7155bbafcefaf48cf163f82, on @user_script:1.")]
    [InlineData("redis.set_repl(99)", "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: d771ce5945d8966ba7b2527e297070ef439fb0b8, on @user_script:1.")]
    public void SetRepl_WithBadArguments_RaisesRedisError(string script, string error)
    {
        Assert.Equal(KvReply.FromError(error), Eval(script));
    }

    [Fact]
    public void SetRepl_WithKnownFlags_DoesNothing()
    {
        Assert.Equal(KvReply.FromInteger(1), Eval("redis.set_repl(redis.REPL_ALL) redis.set_repl(redis.REPL_NONE) return 1"));
    }

    [Fact]
    public void Log_WithLevelAndMessage_DoesNothing()
    {
        Assert.Equal(KvReply.FromInteger(3), Eval("redis.log(redis.LOG_WARNING, 'hello', 'world') return redis.LOG_WARNING"));
    }

    [Theory]
    [InlineData("return redis.log()", "ERR redis.log() requires two arguments or more. script: 28e28bf25123668ac541f5eec91bf7ad3d2fe0bd, on @user_script:1.")]
    [InlineData("return redis.log('x','y')", "ERR First argument must be a number (log level). script: 7eb2c51797b5ba4486062c3780fcd2ba1dfab7c7, on @user_script:1.")]
    [InlineData("return redis.log(99,'y')", "ERR Invalid debug level. script: 73457c4edea5201ebaa5f8079e78c4dc0682e505, on @user_script:1.")]
    public void Log_WithBadArguments_RaisesRedisError(string script, string error)
    {
        Assert.Equal(KvReply.FromError(error), Eval(script));
    }
}

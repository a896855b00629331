using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>GET, GETDEL and GETEX compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class GetDelGetExTests(DifferentialServersFixture servers)
{
    private const string FutureSeconds = "4102444800";
    private const string FutureMilliseconds = "4102444800123";

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Get_OnMissingKey_ReturnsNil()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("GET")]
    [InlineData("GET", "a", "b")]
    [InlineData("GeT")]
    public async Task Get_WithWrongArgumentCount_ReturnsWrongArityInLowerCase(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("get"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetDel_OnExistingKey_ReturnsValueAndDeletes()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETDEL", key);
        await run.AssertReplyAsync(RedisReply.Nil, "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(-2), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetDel_OnMissingKey_ReturnsNil()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Nil, "GETDEL", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("GETDEL")]
    [InlineData("GETDEL", "a", "b")]
    public async Task GetDel_WithWrongArgumentCount_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("getdel"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_WithoutOptions_ReturnsValueAndKeepsTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_Ex_SetsTtlInSeconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "EX", "100");
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_Px_SetsTtlInMilliseconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "px", "100000");
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_Exat_SetsAbsoluteDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "EXAT", FutureSeconds);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800), "EXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_Pxat_SetsAbsoluteDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "PxAt", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_Persist_RemovesTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "PERSIST");
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_ExatInThePast_ReturnsValueAndDeletesKey()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GETEX", key, "EXAT", "1");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData]
    [InlineData("EX", "100")]
    [InlineData("PERSIST")]
    public async Task GetEx_OnMissingKey_ReturnsNil(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, ["GETEX", key, .. options]);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "10", "PX", "100")]
    [InlineData("PERSIST", "EX", "10")]
    [InlineData("EX", "10", "PERSIST")]
    [InlineData("EXAT", FutureSeconds, "PXAT", FutureMilliseconds)]
    [InlineData("EX")]
    [InlineData("PXAT")]
    [InlineData("FOO")]
    [InlineData("KEEPTTL")]
    [InlineData("NX")]
    public async Task GetEx_InvalidOptions_ReturnsSyntaxErrorAndLeavesKey(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.SyntaxError, ["GETEX", key, .. options]);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task GetEx_InvalidOptionsOnMissingKey_ReturnsSyntaxError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.SyntaxError, "GETEX", run.Key(), "EX", "10", "PX", "100");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "10", "EX", "20")]
    [InlineData("PERSIST", "PERSIST")]
    public async Task GetEx_SameOptionTwice_IsAccepted(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), ["GETEX", key, .. options]);
        await run.AssertSameAsync("TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "0")]
    [InlineData("PX", "-1")]
    [InlineData("EXAT", "0")]
    [InlineData("PXAT", "-1")]
    [InlineData("EX", "9223372036854775807")]
    public async Task GetEx_InvalidExpireTime_ReturnsInvalidExpireTimeError(string option, string value)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime("getex"), "GETEX", key, option, value);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "abc")]
    [InlineData("PX", "1.5")]
    public async Task GetEx_NonIntegerTime_ReturnsNotAnIntegerError(string option, string value)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "GETEX", key, option, value);
    }
}

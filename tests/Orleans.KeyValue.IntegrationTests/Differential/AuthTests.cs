using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>AUTH and HELLO AUTH on servers started with --requirepass, compared with redis-server.</summary>
[Collection(PasswordCollection.Name)]
public sealed class AuthTests(PasswordServersFixture servers)
{
    private const string NoAuth = "-NOAUTH Authentication required.\r\n";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private const string Password = PasswordServersFixture.Password;

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("PING")]
    [InlineData("GET", "k")]
    [InlineData("SET", "k", "v")]
    [InlineData("ECHO", "x")]
    [InlineData("EVAL", "return 1", "0")]
    public async Task Command_BeforeAuth_ReturnsNoAuth(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(NoAuth, command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_BeforeAuth_ReturnsUnknownCommand()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task WrongArity_BeforeAuth_ReturnsWrongArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("get"), "GET");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("wrong")]
    [InlineData("default", "wrong")]
    [InlineData("nouser", Password)]
    public async Task Auth_WithWrongCredentials_ReturnsWrongPass(params string[] credentials)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(WrongPass, ["AUTH", .. credentials]);
        await run.AssertReplyAsync(NoAuth, "GET", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData(Password)]
    [InlineData("default", Password)]
    public async Task Auth_WithRightPassword_AllowsCommands(params string[] credentials)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, ["AUTH", .. credentials]);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_WrongAfterRight_KeepsConnectionAuthenticated()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", Password);
        await run.AssertReplyAsync(WrongPass, "AUTH", "wrong");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("AUTH")]
    public async Task Auth_WithoutPassword_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("auth"), command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_WithThreeArguments_ReturnsSyntaxError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.SyntaxError, "AUTH", "a", "b", "c");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("HELLO", "3")]
    [InlineData("HELLO")]
    public async Task Hello_BeforeAuth_ReturnsNoAuthExplainingHelloAuth(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> "
            + "option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
            command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HelloAuth_WithWrongPassword_ReturnsWrongPass()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(WrongPass, "HELLO", "3", "AUTH", "default", "wrong");
        await run.AssertReplyAsync(NoAuth, "GET", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HelloAuth_WithRightPassword_AuthenticatesAndSwitchesToResp3()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3", "AUTH", "default", Password);
        await run.AssertReplyAsync(RedisReply.Null, "GET", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Quit_BeforeAuth_ReturnsOkAndCloses()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "QUIT");
        await run.AssertBothClosedAsync(TimeSpan.FromSeconds(5));
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")]
    [InlineData("*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n")]
    public async Task LargeRequest_BeforeAuth_RepliesWithErrorThenCloses(string request, string reply)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertRawReplyAsync(reply, System.Text.Encoding.ASCII.GetBytes(request));
        await run.AssertBothClosedAsync(TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task LargeRequest_AfterAuth_IsAccepted()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", Password);
        await run.AssertReplyAsync(RedisReply.Integer(0), ["EXISTS", .. Enumerable.Repeat(key, 20)]);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, new string('v', 20_000));
    }
}

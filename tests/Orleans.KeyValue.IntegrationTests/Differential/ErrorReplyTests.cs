using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>Error replies for unknown commands and wrong arity, compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ErrorReplyTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_WithArguments_ListsThem()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", "foo", "a", "b");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_WithoutArguments_ListsNone()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_KeepsTheCaseAsSent()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command 'FoO', with args beginning with: 'X' \r\n", "FoO", "X");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_WithLongArguments_CutsTheListAt128Characters()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertSameAsync("foo", new string('x', 200), "y");
        await run.AssertSameAsync("foo", "a", new string('b', 120), "c", "d");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_WithNewlinesInName_ReplacesThemWithSpaces()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command 'fo  o', with args beginning with: 'a' \r\n", "fo\r\no", "a");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task UnknownCommand_DoesNotCloseTheConnection()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertSameAsync("foo");
        await run.AssertReplyAsync(RedisReply.Pong, "PING");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task EmptyCommandName_IsUnknown()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync("-ERR unknown command '', with args beginning with: \r\n", string.Empty);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("get")]
    [InlineData("GET", "a", "b")]
    [InlineData("SeT", "a")]
    [InlineData("getdel")]
    [InlineData("getex")]
    [InlineData("setnx", "a")]
    [InlineData("psetex", "a", "1")]
    [InlineData("type")]
    [InlineData("type", "a", "b")]
    [InlineData("eval")]
    [InlineData("evalsha", "abc")]
    public async Task KnownCommand_WithWrongArity_NamesItInLowerCase(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity(command[0].ToLowerInvariant()), command);
    }
}

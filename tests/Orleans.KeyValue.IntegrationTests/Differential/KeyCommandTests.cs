using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>DEL, UNLINK, EXISTS, TYPE and PERSIST compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class KeyCommandTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Del_SeveralKeys_CountsOnlyExistingOnes()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("a"), "1");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("b"), "2");
        await run.AssertReplyAsync(RedisReply.Integer(2), "DEL", run.Key("a"), run.Key("missing"), run.Key("b"));
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", run.Key("a"), run.Key("b"));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Del_SameKeyTwice_CountsItOnce()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), "DEL", key, key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Del_MissingKey_ReturnsZero()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), "DEL", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Del_WithoutKeys_ReturnsWrongArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("del"), "DEL");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlink_SeveralKeys_CountsOnlyExistingOnesAndDeletesThem()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("a"), "1");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("b"), "2", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Integer(2), "UNLINK", run.Key("a"), run.Key("missing"), run.Key("b"), run.Key("a"));
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", run.Key("a"), run.Key("b"));
        await run.AssertReplyAsync(RedisReply.Integer(-2), "TTL", run.Key("b"));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlink_MissingKey_ReturnsZero()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), "UNLINK", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Unlink_WithoutKeys_ReturnsWrongArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("unlink"), "UNLINK");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Exists_SameKeyTwice_CountsItTwice()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("a"), "1");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("b"), "2");
        await run.AssertReplyAsync(RedisReply.Integer(3), "EXISTS", run.Key("a"), run.Key("a"), run.Key("missing"), run.Key("b"));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Exists_WithoutKeys_ReturnsWrongArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("exists"), "EXISTS");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Type_OfStringKey_ReturnsString()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Status("string"), "TYPE", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Type_OfMissingKey_ReturnsNone()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Status("none"), "TYPE", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Type_OfExpiredKey_ReturnsNone()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PXAT", "1");
        await run.AssertReplyAsync(RedisReply.Status("none"), "TYPE", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Persist_OnKeyWithTtl_ReturnsOneAndRemovesTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Integer(1), "PERSIST", key);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Persist_OnKeyWithoutTtl_ReturnsZero()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(0), "PERSIST", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Persist_OnMissingKey_ReturnsZero()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), "PERSIST", run.Key());
    }
}

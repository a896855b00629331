namespace Orleans.KeyValue.Gateway.Tests.Commands;

public sealed class ScriptingCommandTests : IDisposable
{
    private const string Unlock = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private readonly GatewayHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void LockPattern_OnlyTheHolderReleases()
    {
        Assert.Equal(KvReply.Ok, _h.Run("set", "lock", "token-a", "NX", "PX", "30000"));
        Assert.Equal(KvReply.Nil, _h.Run("set", "lock", "token-b", "NX", "PX", "30000"));
        Assert.Equal(KvReply.Zero, _h.Run("eval", Unlock, "1", "lock", "token-b"));
        Assert.Equal(KvReply.One, _h.Run("eval", Unlock, "1", "lock", "token-a"));
        Assert.Equal(KvReply.Ok, _h.Run("set", "lock", "token-b", "NX", "PX", "30000"));
    }

    [Fact]
    public void Lock_ExpiresOnTheClock()
    {
        _h.Run("set", "lock", "a", "NX", "PX", "500");
        _h.Time.Advance(TimeSpan.FromMilliseconds(501));
        Assert.Equal(KvReply.Ok, _h.Run("set", "lock", "b", "NX", "PX", "500"));
    }

    [Fact]
    public void EvalSha_RunsALoadedScript_AndUnknownShaIsNoScript()
    {
        var sha = _h.Run("script", "load", Unlock);
        _h.Run("set", "lock", "t");
        Assert.Equal(KvReply.One, _h.Run("evalsha", sha.ToString().Trim('"'), "1", "lock", "t"));
        Assert.Equal(GatewayHarness.Err("NOSCRIPT No matching script. Please use EVAL."), _h.Run("evalsha", "ffffffffffffffffffffffffffffffffffffffff", "0"));
    }

    [Fact]
    public void Eval_WithKeysOfTwoGrains_IsCrossSlot() =>
        Assert.Equal(GatewayHarness.Err("CROSSSLOT Keys in request don't hash to the same slot"), _h.Run("eval", "return 1", "2", "a", "b"));

    [Fact]
    public void Eval_TouchingAnUndeclaredKey_IsRefused()
    {
        var reply = _h.Run("eval", "return redis.call('get', 'other')", "1", "mine");
        Assert.True(reply.IsError);
        Assert.Contains("not the key of its grain", reply.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", "ERR Number of keys can't be negative")]
    [InlineData("5", "ERR Number of keys can't be greater than number of args")]
    [InlineData("x", "ERR value is not an integer or out of range")]
    public void Eval_WithABadKeyCount_Fails(string count, string error) =>
        Assert.Equal(GatewayHarness.Err(error), _h.Run("eval", "return 1", count, "a"));

    [Fact]
    public void Eval_SeesItsOwnWritesWithinTheTurn()
    {
        var reply = _h.Run("eval", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])", "1", "k", "v");
        Assert.Equal(GatewayHarness.Bulk("v"), reply);
    }

    [Fact]
    public void Eval_CannotCallScriptingOrServerAdministration()
    {
        var reply = _h.Run("eval", "return redis.call('flushall')", "0");
        Assert.True(reply.IsError);
    }
}

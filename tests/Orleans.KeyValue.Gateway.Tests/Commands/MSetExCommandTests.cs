using System.Globalization;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

// MSETEX (Redis 8.4). Redis 7 on this machine lacks it; the expected replies and error texts are
// written from msetexCommand and parseExtendedStringArgumentsOrReply in Redis 8.4's
// src/t_string.c, src/commands/msetex.json (arity -4, a keynum key spec) and redis.io/commands/msetex.
// Keys share a hash tag: like Redis Cluster, we run MSETEX only on keys of one slot.
public sealed class MSetExCommandTests : IDisposable
{
    private const string Syntax = "ERR syntax error";
    private const string CrossSlot = "CROSSSLOT Keys in request don't hash to the same slot";

    private readonly GatewayHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static KvReply Bulk(string text) => GatewayHarness.Bulk(text);

    private static KvReply Err(string text) => GatewayHarness.Err(text);

    private static string Ms(long value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void MSetEx_SetsEveryKey_AndRepliesOne()
    {
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2"));
        Assert.Equal(Bulk("1"), _h.Run("get", "{t}a"));
        Assert.Equal(Bulk("2"), _h.Run("get", "{t}b"));
        Assert.Equal(KvReply.FromInteger(-1), _h.Run("ttl", "{t}a"));
    }

    [Fact]
    public void MSetEx_WithoutAnExpiry_ClearsTheKeysDeadlines()
    {
        _h.Run("set", "{t}a", "old", "ex", "100");
        Assert.Equal(KvReply.One, _h.Run("msetex", "1", "{t}a", "new"));
        Assert.Equal(KvReply.FromInteger(-1), _h.Run("ttl", "{t}a"));
    }

    [Theory]
    [InlineData("ex", "10", 10_000)]
    [InlineData("EX", "10", 10_000)]
    [InlineData("px", "1500", 1_500)]
    public void MSetEx_WithARelativeExpiry_SetsItOnEveryKey(string unit, string amount, long pttl)
    {
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", unit, amount));
        Assert.Equal(KvReply.FromInteger(pttl), _h.Run("pttl", "{t}a"));
        Assert.Equal(KvReply.FromInteger(pttl), _h.Run("pttl", "{t}b"));
    }

    [Fact]
    public void MSetEx_WithExAt_SetsTheAbsoluteDeadline()
    {
        var at = (_h.NowMs / 1000) + 100;
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "exat", Ms(at)));
        Assert.Equal(KvReply.FromInteger(at), _h.Run("expiretime", "{t}a"));
        Assert.Equal(KvReply.FromInteger(at), _h.Run("expiretime", "{t}b"));
    }

    [Fact]
    public void MSetEx_WithPxAt_SetsTheAbsoluteDeadline()
    {
        var at = _h.NowMs + 2_500;
        Assert.Equal(KvReply.One, _h.Run("msetex", "1", "{t}a", "1", "pxat", Ms(at)));
        Assert.Equal(KvReply.FromInteger(at), _h.Run("pexpiretime", "{t}a"));
    }

    [Fact]
    public void MSetEx_WithAPastPxAt_LeavesNoKeys()
    {
        _h.Run("set", "{t}a", "old");
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "pxat", "1000"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "{t}a", "{t}b"));
    }

    [Fact]
    public void MSetEx_WithKeepTtl_KeepsEachKeysOwnDeadline()
    {
        _h.Run("set", "{t}a", "old", "px", "5000");
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "keepttl"));
        Assert.Equal(Bulk("1"), _h.Run("get", "{t}a"));
        Assert.Equal(KvReply.FromInteger(5_000), _h.Run("pttl", "{t}a"));
        Assert.Equal(KvReply.FromInteger(-1), _h.Run("pttl", "{t}b"));
    }

    [Fact]
    public void MSetExNx_WhenNoKeyExists_SetsThemAll()
    {
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "nx", "ex", "10"));
        Assert.Equal(KvReply.FromInteger(10), _h.Run("ttl", "{t}b"));
    }

    [Fact]
    public void MSetExNx_WhenOneKeyExists_SetsNone_AndRepliesZero()
    {
        _h.Run("set", "{t}b", "old");
        Assert.Equal(KvReply.Zero, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "NX"));
        Assert.Equal(KvReply.Nil, _h.Run("get", "{t}a"));
        Assert.Equal(Bulk("old"), _h.Run("get", "{t}b"));
    }

    [Fact]
    public void MSetExNx_CountsAKeyOfAnotherTypeAsExisting()
    {
        _h.PlantOtherType("{t}b");
        Assert.Equal(KvReply.Zero, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "nx"));
    }

    [Fact]
    public void MSetExXx_WhenEveryKeyExists_SetsThemAll()
    {
        _h.Run("set", "{t}a", "old");
        _h.Run("set", "{t}b", "old");
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "xx"));
        Assert.Equal(Bulk("2"), _h.Run("get", "{t}b"));
    }

    [Fact]
    public void MSetExXx_WhenOneKeyIsMissing_SetsNone_AndRepliesZero()
    {
        _h.Run("set", "{t}a", "old");
        Assert.Equal(KvReply.Zero, _h.Run("msetex", "2", "{t}a", "1", "{t}b", "2", "xx", "px", "100"));
        Assert.Equal(Bulk("old"), _h.Run("get", "{t}a"));
        Assert.Equal(KvReply.FromInteger(-1), _h.Run("pttl", "{t}a"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "{t}b"));
    }

    [Fact]
    public void MSetEx_WithARepeatedKey_EndsWithItsLastValue()
    {
        Assert.Equal(KvReply.One, _h.Run("msetex", "2", "{t}k", "a", "{t}k", "b", "nx"));
        Assert.Equal(Bulk("b"), _h.Run("get", "{t}k"));
    }

    [Theory]
    [InlineData("nx", "NX")]
    [InlineData("ex", "10", "ex", "20")]
    [InlineData("keepttl", "KEEPTTL")]
    [InlineData("ex", "20", "nx")]
    public void MSetEx_WithARepeatedOrReorderedOption_IsAccepted(params string[] options) =>
        Assert.Equal(KvReply.One, _h.Run(["msetex", "1", "{t}a", "1", .. options]));

    [Fact]
    public void MSetEx_WithRepeatedEx_TakesTheLastValue()
    {
        _h.Run("msetex", "1", "{t}a", "1", "ex", "10", "ex", "20");
        Assert.Equal(KvReply.FromInteger(20), _h.Run("ttl", "{t}a"));
    }

    [Theory]
    [InlineData("nx", "xx")]
    [InlineData("xx", "nx")]
    [InlineData("ex", "10", "px", "5000")]
    [InlineData("exat", "1735689600", "pxat", "1735689600000")]
    [InlineData("keepttl", "ex", "10")]
    [InlineData("px", "5000", "keepttl")]
    [InlineData("ex")]
    [InlineData("get")]
    [InlineData("persist")]
    [InlineData("ifeq", "1")]
    [InlineData("invalid_flag")]
    public void MSetEx_WithAConflictingUnknownOrIncompleteOption_IsASyntaxError_AndSetsNothing(params string[] options)
    {
        Assert.Equal(Err(Syntax), _h.Run(["msetex", "2", "{t}a", "1", "{t}b", "2", .. options]));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "{t}a", "{t}b"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("2147483648")]
    public void MSetEx_WithANumKeysThatIsNotAPositiveInt_IsInvalid(string numKeys) =>
        Assert.Equal(Err("ERR invalid numkeys value"), _h.Run("msetex", numKeys, "{t}a", "1"));

    [Theory]
    [InlineData("2", "{t}a", "1")]
    [InlineData("2", "{t}a", "1", "{t}b")]
    [InlineData("3", "{t}a", "1", "{t}b", "2")]
    public void MSetEx_WithFewerPairsThanNumKeys_IsAnError(params string[] arguments)
    {
        Assert.Equal(Err("ERR wrong number of key-value pairs"), _h.Run(["msetex", .. arguments]));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "{t}a"));
    }

    [Theory]
    [InlineData("ex", "0")]
    [InlineData("px", "-5")]
    [InlineData("exat", "0")]
    [InlineData("ex", "9223372036854775807")]
    public void MSetEx_WithAnInvalidExpireTime_IsAnError(string unit, string amount) =>
        Assert.Equal(Err("ERR invalid expire time in 'msetex' command"), _h.Run("msetex", "1", "{t}a", "1", unit, amount));

    [Fact]
    public void MSetEx_WithANonIntegerExpireTime_IsNotAnInteger() =>
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Run("msetex", "1", "{t}a", "1", "px", "soon"));

    [Theory]
    [InlineData]
    [InlineData("1")]
    [InlineData("1", "{t}a")]
    public void MSetEx_WithFewerThanFourArguments_IsAnArityError(params string[] arguments) =>
        Assert.Equal(Err("ERR wrong number of arguments for 'msetex' command"), _h.Run(["msetex", .. arguments]));

    [Fact]
    public void MSetEx_OfKeysInSeveralSlots_IsCrossSlot_AndSetsNothing()
    {
        Assert.Equal(Err(CrossSlot), _h.Run("msetex", "2", "a", "1", "b", "2"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "a", "b"));
    }

    [Fact]
    public void MSetEx_CrossSlot_ComesBeforeTheCommandsOwnErrors_WhenTheKeysCanBeFound()
    {
        // Redis Cluster checks the slots of the keys its key spec finds before the command runs:
        // numkeys 2 with the last value missing still names both keys.
        Assert.Equal(Err(CrossSlot), _h.Run("msetex", "2", "a", "1", "b"));
        Assert.Equal(Err(CrossSlot), _h.Run("msetex", "2", "a", "1", "b", "2", "bogus"));
    }

    [Fact]
    public void MSetEx_WhoseKeysCannotBeFound_AnswersItsOwnError() =>
        Assert.Equal(Err("ERR wrong number of key-value pairs"), _h.Run("msetex", "3", "a", "1", "b", "2"));

    [Fact]
    public void MSetEx_InsideAScript_SetsTheScriptsKey()
    {
        Assert.Equal(KvReply.One, _h.Run("eval", "return redis.call('msetex', 1, KEYS[1], ARGV[1], 'px', 500)", "1", "k", "v"));
        Assert.Equal(Bulk("v"), _h.Run("get", "k"));
        Assert.Equal(KvReply.FromInteger(500), _h.Run("pttl", "k"));
    }

    [Fact]
    public void MSetEx_InsideAScript_OfAnotherKey_IsRefused_AndSetsNothing()
    {
        var reply = _h.Run("eval", "return redis.pcall('msetex', 2, KEYS[1], 'a', '{k}other', 'b')", "1", "{k}");
        Assert.True(reply.IsError, reply.ToString());
        Assert.Contains("Script attempted to access a key", reply.Text, StringComparison.Ordinal);
        Assert.Equal(KvReply.Zero, _h.Run("exists", "{k}", "{k}other"));
    }
}

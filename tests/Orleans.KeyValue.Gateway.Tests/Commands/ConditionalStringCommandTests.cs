using System.Globalization;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

// Redis 8.4's SET IFEQ/IFNE/IFDEQ/IFDNE, DELEX and DIGEST through the command executor. Redis 7
// on this machine lacks them, so the expected replies are written from Redis 8.4's source and
// tests: setGenericCommand, parseExtendedStringArgumentsOrReply, validateHexDigest, stringDigest
// and digestCommand in src/t_string.c; tests/unit/type/string.tcl; DELEX's order of checks and
// its error texts as fakeredis' test_delex_* assert them against Redis 8.4 (and redis/redis#14529
// for its arity); the DIGEST example on redis.io/commands/digest.
public sealed class ConditionalStringCommandTests : IDisposable
{
    private const string HelloDigest = "9555e8555c62dcfd"; // DIGEST of "hello" (fakeredis vs Redis 8.4)
    private const string Syntax = "ERR syntax error";
    private const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private const string DigestLength = "ERR must be exactly 16 hexadecimal characters";
    private const string NotString = "ERR Key should be of string type if conditions are specified";

    private readonly GatewayHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static KvReply Bulk(string text) => GatewayHarness.Bulk(text);

    private static KvReply Err(string text) => GatewayHarness.Err(text);

    private static string Ms(long value) => value.ToString(CultureInfo.InvariantCulture);

    // ---- SET: the parser ----

    [Theory]
    [InlineData("ifeq")]
    [InlineData("ifne")]
    [InlineData("ifdeq")]
    [InlineData("ifdne")]
    public void Set_WithAnIfOptionWithoutItsValue_IsASyntaxError(string option)
    {
        _h.Run("set", "k", "old");
        Assert.Equal(Err(Syntax), _h.Run("set", "k", "v", option));
        Assert.Equal(Bulk("old"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("nx", "ifeq", "old")]
    [InlineData("xx", "ifeq", "old")]
    [InlineData("nx", "ifne", "x")]
    [InlineData("xx", "ifne", "x")]
    [InlineData("nx", "ifdeq", HelloDigest)]
    [InlineData("xx", "ifdne", HelloDigest)]
    [InlineData("ifeq", "old", "ifne", "x")]
    [InlineData("ifne", "x", "ifeq", "old")]
    [InlineData("ifeq", "old", "ifdeq", HelloDigest)]
    [InlineData("ifdeq", HelloDigest, "ifdne", HelloDigest)]
    [InlineData("ifdne", HelloDigest, "ifne", "x")]
    [InlineData("ifeq", "old", "persist")]
    public void Set_WithConflictingConditions_IsASyntaxError(params string[] options)
    {
        _h.Run("set", "k", "old");
        Assert.Equal(Err(Syntax), _h.Run(["set", "k", "v", .. options]));
        Assert.Equal(Bulk("old"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("ifeq", "old", "nx")]
    [InlineData("ifeq", "old", "xx")]
    [InlineData("ifdne", HelloDigest, "nx")]
    public void Set_WithNxOrXxAfterAnIfOption_IsAccepted_AsRedis84Parses(params string[] options)
    {
        // Redis 8.4's NX and XX look only at each other, not at the IF options (redis/redis#15291
        // changed that after 8.4): the command runs and both conditions must hold.
        _h.Run("set", "k", "old");
        Assert.NotEqual(Err(Syntax), _h.Run(["set", "k", "v", .. options]));
    }

    [Fact]
    public void Set_IfEqualThenXx_WritesWhenBothHold()
    {
        _h.Run("set", "k", "old");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "new", "ifeq", "old", "xx"));
        Assert.Equal(Bulk("new"), _h.Run("get", "k"));
    }

    [Fact]
    public void Set_IfEqualThenNx_NeverWrites()
    {
        _h.Run("set", "k", "old");
        Assert.Equal(KvReply.Nil, _h.Run("set", "k", "new", "ifeq", "old", "nx"));
        Assert.Equal(KvReply.Nil, _h.Run("set", "missing", "new", "ifeq", "old", "nx"));
        Assert.Equal(Bulk("old"), _h.Run("get", "k"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "missing"));
    }

    [Fact]
    public void Set_IfNotEqualThenNx_CreatesOnlyAMissingKey()
    {
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "v", "ifne", "x", "nx"));
        Assert.Equal(KvReply.Nil, _h.Run("set", "k", "w", "ifne", "x", "nx"));
        Assert.Equal(Bulk("v"), _h.Run("get", "k"));
    }

    [Fact]
    public void Set_WithTheSameIfOptionTwice_UsesTheLastValue()
    {
        _h.Run("set", "k", "old");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "new", "ifeq", "wrong", "IFEQ", "old"));
        Assert.Equal(Bulk("new"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("IFEQ")]
    [InlineData("IfEq")]
    [InlineData("ifeq")]
    public void Set_IfOptions_AreCaseInsensitive(string option)
    {
        _h.Run("set", "k", "old");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "new", option, "old"));
    }

    [Theory]
    [InlineData("ifeq", "v")]
    [InlineData("ifdne", HelloDigest)]
    public void GetEx_WithAnIfOption_IsASyntaxError(string option, string value)
    {
        _h.Run("set", "k", "v");
        Assert.Equal(Err(Syntax), _h.Run("getex", "k", option, value));
    }

    // ---- SET: the conditions ----

    [Theory]
    [InlineData("ifeq", "hello", true)]
    [InlineData("ifeq", "Hello", false)] // values compare as bytes
    [InlineData("ifne", "other", true)]
    [InlineData("ifne", "hello", false)]
    [InlineData("ifdeq", HelloDigest, true)]
    [InlineData("ifdeq", "9555E8555C62DCFD", true)] // digests compare without regard to case
    [InlineData("ifdeq", "9555e8555c62dcfe", false)]
    [InlineData("ifdne", "0000000000000000", true)]
    [InlineData("ifdne", HelloDigest, false)]
    [InlineData("ifdeq", "zzzzzzzzzzzzzzzz", false)] // only the length is validated
    [InlineData("ifdne", "zzzzzzzzzzzzzzzz", true)]
    public void Set_OnAnExistingString_WritesOnlyWhenTheConditionHolds(string option, string match, bool writes)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(writes ? KvReply.Ok : KvReply.Nil, _h.Run("set", "k", "world", option, match));
        Assert.Equal(Bulk(writes ? "world" : "hello"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("ifeq", "hello", false)]
    [InlineData("ifdeq", HelloDigest, false)]
    [InlineData("ifne", "hello", true)]
    [InlineData("ifdne", HelloDigest, true)]
    public void Set_OnAMissingKey_OnlyTheNotEqualConditionsCreateIt(string option, string match, bool creates)
    {
        Assert.Equal(creates ? KvReply.Ok : KvReply.Nil, _h.Run("set", "k", "world", option, match));
        Assert.Equal(creates ? KvReply.One : KvReply.Zero, _h.Run("exists", "k"));
    }

    [Fact]
    public void Set_IfDigestEqual_WithTheDigestDigestReturned_Writes()
    {
        _h.Run("set", "k", "some value");
        var digest = _h.Run("digest", "k").ToString().Trim('"');
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "next", "ifdeq", digest));
        Assert.Equal(KvReply.Nil, _h.Run("set", "k", "again", "ifdeq", digest));
        Assert.Equal(Bulk("next"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("ifdeq", "")]
    [InlineData("ifdeq", "0123")]
    [InlineData("ifdne", "555e8555c62dcfd")]
    [InlineData("ifdne", "09555e8555c62dcfd")]
    public void Set_WithADigestOfAnotherLength_OnAnExistingString_IsAnError(string option, string digest)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(Err(DigestLength), _h.Run("set", "k", "world", option, digest));
        Assert.Equal(Bulk("hello"), _h.Run("get", "k"));
    }

    [Fact]
    public void Set_WithAMalformedDigest_OnAMissingKey_IsNoError()
    {
        // Redis validates the digest only after it found a string: IFDEQ is refused, IFDNE creates.
        Assert.Equal(KvReply.Nil, _h.Run("set", "a", "v", "ifdeq", "bad"));
        Assert.Equal(KvReply.Ok, _h.Run("set", "b", "v", "ifdne", "bad"));
        Assert.Equal(Bulk("v"), _h.Run("get", "b"));
    }

    [Theory]
    [InlineData("ifeq", "x")]
    [InlineData("ifne", "x")]
    [InlineData("ifdeq", HelloDigest)]
    [InlineData("ifdne", HelloDigest)]
    public void Set_WithACondition_OnAnotherType_IsWrongType(string option, string match)
    {
        _h.PlantOtherType("k");
        Assert.Equal(Err(WrongType), _h.Run("set", "k", "v", option, match));
    }

    [Fact]
    public void Set_WithoutACondition_OnAnotherType_OverwritesIt()
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "v"));
        Assert.Equal(Bulk("v"), _h.Run("get", "k"));
    }

    // ---- SET: conditions with GET ----

    [Theory]
    [InlineData("ifeq", "hello", "world")]
    [InlineData("ifeq", "different", "hello")]
    [InlineData("ifne", "different", "world")]
    [InlineData("ifne", "hello", "hello")]
    [InlineData("ifdeq", HelloDigest, "world")]
    [InlineData("ifdeq", "0000000000000000", "hello")]
    [InlineData("ifdne", "0000000000000000", "world")]
    [InlineData("ifdne", HelloDigest, "hello")]
    public void SetGet_WithACondition_RepliesTheOldValueWhetherOrNotItWrites(string option, string match, string after)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(Bulk("hello"), _h.Run("set", "k", "world", option, match, "GET"));
        Assert.Equal(Bulk(after), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("ifeq", false)]
    [InlineData("ifdeq", false)]
    [InlineData("ifne", true)]
    [InlineData("ifdne", true)]
    public void SetGet_WithACondition_OnAMissingKey_RepliesNil(string option, bool creates)
    {
        Assert.Equal(KvReply.Nil, _h.Run("set", "k", "world", "get", option, HelloDigest));
        Assert.Equal(creates ? Bulk("world") : KvReply.Nil, _h.Run("get", "k"));
    }

    [Fact]
    public void SetGet_WithACondition_OnAnotherType_IsWrongType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(Err(WrongType), _h.Run("set", "k", "v", "get", "ifne", "x"));
    }

    [Fact]
    public void SetGet_WithADigestOfAnotherLength_OnAString_AnswersTheErrorAlone()
    {
        // Redis 8.4 sends the old value and then this error, two replies to one command; one reply
        // can only be one of them, and the error is the one that says nothing was written.
        _h.Run("set", "k", "hello");
        Assert.Equal(Err(DigestLength), _h.Run("set", "k", "world", "get", "ifdeq", "short"));
        Assert.Equal(Bulk("hello"), _h.Run("get", "k"));
    }

    // ---- SET: conditions with expiry ----

    [Theory]
    [InlineData("ex", "10", 10_000)]
    [InlineData("px", "1500", 1_500)]
    public void Set_WithAConditionThatHolds_SetsTheExpiry(string unit, string amount, long pttl)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "world", "ifeq", "hello", unit, amount));
        Assert.Equal(KvReply.FromInteger(pttl), _h.Run("pttl", "k"));
    }

    [Fact]
    public void Set_WithAbsoluteExpiry_AndACondition_SetsTheDeadline()
    {
        _h.Run("set", "k", "hello");
        var at = _h.NowMs + 5_000;
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "world", "pxat", Ms(at), "ifdeq", HelloDigest));
        Assert.Equal(KvReply.FromInteger(at), _h.Run("pexpiretime", "k"));
    }

    [Fact]
    public void Set_WithAConditionThatFails_LeavesTheDeadline()
    {
        _h.Run("set", "k", "hello", "px", "5000");
        Assert.Equal(KvReply.Nil, _h.Run("set", "k", "world", "ifeq", "other", "ex", "100"));
        Assert.Equal(KvReply.FromInteger(5_000), _h.Run("pttl", "k"));
    }

    [Fact]
    public void Set_WithAConditionAndKeepTtl_KeepsTheDeadline()
    {
        _h.Run("set", "k", "hello", "px", "5000");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "world", "ifne", "other", "keepttl"));
        Assert.Equal(KvReply.FromInteger(5_000), _h.Run("pttl", "k"));
    }

    [Fact]
    public void Set_WithAConditionAndNoExpiry_ClearsTheDeadline()
    {
        _h.Run("set", "k", "hello", "px", "5000");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "world", "ifeq", "hello"));
        Assert.Equal(KvReply.FromInteger(-1), _h.Run("pttl", "k"));
    }

    [Fact]
    public void Set_WithAConditionAndAPastPxAt_LeavesNoKey()
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "world", "ifeq", "hello", "pxat", "1000"));
        Assert.Equal(KvReply.Nil, _h.Run("get", "k"));
    }

    [Fact]
    public void Set_WithAnInvalidExpiry_IsAnError_BeforeTheConditionIsLookedAt()
    {
        // getExpireMillisecondsOrReply runs first in setGenericCommand.
        Assert.Equal(Err("ERR invalid expire time in 'set' command"), _h.Run("set", "missing", "v", "ifeq", "x", "ex", "0"));
    }

    // ---- DELEX ----

    [Fact]
    public void DelEx_WithoutACondition_DeletesLikeDel()
    {
        Assert.Equal(KvReply.Zero, _h.Run("delex", "k"));
        _h.Run("set", "k", "v");
        Assert.Equal(KvReply.One, _h.Run("delex", "k"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "k"));
    }

    [Fact]
    public void DelEx_WithoutACondition_DeletesAnyType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.One, _h.Run("delex", "k"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "k"));
    }

    [Theory]
    [InlineData("IFEQ", "hello", true)]
    [InlineData("ifeq", "world", false)]
    [InlineData("IfNe", "world", true)]
    [InlineData("IFNE", "hello", false)]
    [InlineData("IFDEQ", HelloDigest, true)]
    [InlineData("IFDEQ", "9555E8555C62DCFD", true)]
    [InlineData("ifdeq", "0000000000000000", false)]
    [InlineData("IFDNE", "0000000000000000", true)]
    [InlineData("IFDNE", HelloDigest, false)]
    [InlineData("IFDNE", "zzzzzzzzzzzzzzzz", true)]
    public void DelEx_WithACondition_DeletesOnlyWhenItHolds(string condition, string match, bool deletes)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(deletes ? KvReply.One : KvReply.Zero, _h.Run("delex", "k", condition, match));
        Assert.Equal(deletes ? KvReply.Nil : Bulk("hello"), _h.Run("get", "k"));
    }

    [Fact]
    public void DelEx_IfEqual_ComparesBytesNotNumbers()
    {
        _h.Run("set", "k", "0123");
        Assert.Equal(KvReply.Zero, _h.Run("delex", "k", "ifeq", "123"));
        Assert.Equal(KvReply.One, _h.Run("delex", "k", "ifne", "123"));
    }

    [Fact]
    public void DelEx_OfAnEmptyString_IfEqualEmpty_Deletes()
    {
        _h.Run("set", "k", "");
        Assert.Equal(KvReply.One, _h.Run("delex", "k", "ifeq", ""));
    }

    [Theory]
    [InlineData("IFEQ")]
    [InlineData("IFNE")]
    [InlineData("IFDEQ")]
    [InlineData("IFDNE")]
    [InlineData("FOO")]
    public void DelEx_OnAMissingKey_IsZero_WhateverTheCondition(string condition) =>
        Assert.Equal(KvReply.Zero, _h.Run("delex", "missing", condition, "bar"));

    [Fact]
    public void DelEx_OfAnExpiredKey_IsZero()
    {
        _h.Run("set", "k", "hello", "px", "100");
        _h.Time.Advance(TimeSpan.FromMilliseconds(101));
        Assert.Equal(KvReply.Zero, _h.Run("delex", "k", "ifeq", "hello"));
    }

    [Fact]
    public void DelEx_WithAnUnknownCondition_OnAString_IsAnError()
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(Err("ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE"), _h.Run("delex", "k", "FOO", "hello"));
        Assert.Equal(Bulk("hello"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("IFEQ")]
    [InlineData("IFNE")]
    [InlineData("IFDEQ")]
    [InlineData("IFDNE")]
    [InlineData("FOO")] // the type is checked before the condition's name
    public void DelEx_WithAConditionOnAnotherType_IsRedissOwnError_NotWrongType(string condition)
    {
        _h.PlantOtherType("k");
        Assert.Equal(Err(NotString), _h.Run("delex", "k", condition, "a"));
        Assert.Equal(KvReply.One, _h.Run("exists", "k"));
    }

    [Theory]
    [InlineData("IFDEQ", "")]
    [InlineData("IFDEQ", "0123")]
    [InlineData("IFDNE", "555e8555c62dcfd")]
    [InlineData("IFDNE", "09555e8555c62dcfd")]
    public void DelEx_WithADigestOfAnotherLength_OnAString_IsAnError(string condition, string digest)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(Err(DigestLength), _h.Run("delex", "k", condition, digest));
        Assert.Equal(Bulk("hello"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("IFEQ")]
    [InlineData("IFEQ", "hello", "extra")]
    public void DelEx_WithAConditionWithoutItsValue_OrExtraArguments_IsAnArityError_EvenForAMissingKey(params string[] arguments)
    {
        _h.Run("set", "k", "hello");
        Assert.Equal(Err("ERR wrong number of arguments for 'delex' command"), _h.Run(["delex", "k", .. arguments]));
        Assert.Equal(Err("ERR wrong number of arguments for 'delex' command"), _h.Run(["delex", "missing", .. arguments]));
        Assert.Equal(Bulk("hello"), _h.Run("get", "k"));
    }

    [Fact]
    public void DelEx_WithoutAKey_IsAnArityError() =>
        Assert.Equal(Err("ERR wrong number of arguments for 'delex' command"), _h.Run("delex"));

    [Fact]
    public void DelEx_ReleasesATokenLockOnlyForItsHolder()
    {
        Assert.Equal(KvReply.Ok, _h.Run("set", "lock", "token-a", "NX", "PX", "30000"));
        Assert.Equal(KvReply.Zero, _h.Run("delex", "lock", "IFEQ", "token-b"));
        Assert.Equal(KvReply.One, _h.Run("delex", "lock", "IFEQ", "token-a"));
        Assert.Equal(KvReply.Ok, _h.Run("set", "lock", "token-b", "NX", "PX", "30000"));
    }

    // ---- DIGEST ----

    [Theory]
    [InlineData("Hello world", "b6acb9d84a38ff74")] // the example on redis.io/commands/digest
    [InlineData("hello", HelloDigest)]
    [InlineData("", "2d06800538d394c2")]
    [InlineData("12345", null)]
    [InlineData("v8", "0cc76dbb41381419")] // leading zero kept: always 16 digits
    public void Digest_OfAString_IsItsXxh3As16LowercaseHexDigits(string value, string? expected)
    {
        _h.Run("set", "k", value);
        var digest = _h.Run("digest", "k");
        Assert.Equal(KvReplyKind.Bulk, digest.Kind);
        Assert.Equal(16, digest.Bytes.Length);
        Assert.Matches("^[0-9a-f]{16}$", System.Text.Encoding.ASCII.GetString(digest.Bytes.Span));
        if (expected is not null)
        {
            Assert.Equal(Bulk(expected), digest);
        }
    }

    [Fact]
    public void Digest_OfAMissingKey_IsNil() => Assert.Equal(KvReply.Nil, _h.Run("digest", "missing"));

    [Fact]
    public void Digest_OfAnotherType_IsWrongType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(Err(WrongType), _h.Run("digest", "k"));
    }

    [Theory]
    [InlineData]
    [InlineData("a", "b")]
    public void Digest_WithOtherThanOneKey_IsAnArityError(params string[] keys) =>
        Assert.Equal(Err("ERR wrong number of arguments for 'digest' command"), _h.Run(["digest", .. keys]));

    // ---- Scripts and the command table ----

    [Fact]
    public void ConditionalCommands_RunInsideAScript()
    {
        _h.Run("set", "lock", "token");
        Assert.Equal(Bulk(_h.Run("digest", "lock").ToString().Trim('"')), _h.Run("eval", "return redis.call('digest', KEYS[1])", "1", "lock"));
        Assert.Equal(KvReply.Ok, _h.Run("eval", "return redis.call('set', KEYS[1], 'next', 'ifeq', ARGV[1])", "1", "lock", "token"));
        Assert.Equal(KvReply.One, _h.Run("eval", "return redis.call('delex', KEYS[1], 'ifeq', ARGV[1])", "1", "lock", "next"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "lock"));
    }

    [Theory]
    [InlineData("delex", -2, new[] { "write", "fast" }, 1, 1, 1)]
    [InlineData("digest", 2, new[] { "readonly", "fast" }, 1, 1, 1)]
    [InlineData("msetex", -4, new[] { "write", "denyoom", "movablekeys" }, 0, 0, 0)]
    public void CommandInfo_DescribesTheRedis84Commands(string name, int arity, string[] flags, int first, int last, int step)
    {
        var info = _h.Run("command", "info", name).Items![0].Items!;
        Assert.Equal(Bulk(name), info[0]);
        Assert.Equal(KvReply.FromInteger(arity), info[1]);
        Assert.Equal(KvReply.FromSet([.. flags.Select(KvReply.FromStatus)]), info[2]);
        Assert.Equal(KvReply.FromInteger(first), info[3]);
        Assert.Equal(KvReply.FromInteger(last), info[4]);
        Assert.Equal(KvReply.FromInteger(step), info[5]);
    }

    [Theory]
    [InlineData("delex")]
    [InlineData("digest")]
    [InlineData("msetex")]
    public void CommandDocs_SaysSince840InTheStringGroup(string name)
    {
        var docs = _h.Run("command", "docs", name).Items![1].Items!;
        Assert.Equal(Bulk("8.4.0"), docs[3]);
        Assert.Equal(Bulk("string"), docs[5]);
    }
}

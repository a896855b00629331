namespace Orleans.KeyValue.Grains.Tests.Keys;

// Redis 8.4's compare-and-set (SET IFEQ/IFNE/IFDEQ/IFDNE), DELEX and DIGEST on the grain. The
// expected replies follow Redis 8.4's setGenericCommand (src/t_string.c) and its tests
// (tests/unit/type/string.tcl), and DELEX as fakeredis' tests assert it against Redis 8.4.
public sealed partial class KeyGrainTests
{
    private const string HelloDigest = "9555e8555c62dcfd"; // DIGEST of "hello" (Redis 8.4)

    [Theory]
    [InlineData(ValueCondition.IfEqual, "old", "OK", "new")]
    [InlineData(ValueCondition.IfEqual, "other", null, "old")]
    [InlineData(ValueCondition.IfNotEqual, "other", "OK", "new")]
    [InlineData(ValueCondition.IfNotEqual, "old", null, "old")]
    public void SetIf_OnAnExistingKey_WritesOnlyWhenTheConditionHolds(ValueCondition compare, string match, string? reply, string after)
    {
        _h.Set("k", "old");
        Assert.Equal(reply is null ? KvReply.Nil : KvReply.Ok, _h.SetIf("k", "new", compare, match));
        Assert.Equal(Bulk(after), _h.Get("k"));
    }

    [Theory]
    [InlineData(ValueCondition.IfEqual, false)]
    [InlineData(ValueCondition.IfDigestEqual, false)]
    [InlineData(ValueCondition.IfNotEqual, true)]
    [InlineData(ValueCondition.IfDigestNotEqual, true)]
    public void SetIf_OnAMissingKey_CreatesItOnlyForTheNotEqualConditions(ValueCondition compare, bool creates)
    {
        var match = compare is ValueCondition.IfDigestEqual or ValueCondition.IfDigestNotEqual ? HelloDigest : "x";
        Assert.Equal(creates ? KvReply.Ok : KvReply.Nil, _h.SetIf("k", "v", compare, match));
        Assert.Equal(creates ? Bulk("v") : KvReply.Nil, _h.Get("k"));
    }

    [Theory]
    [InlineData(ValueCondition.IfDigestEqual, HelloDigest, true)]
    [InlineData(ValueCondition.IfDigestEqual, "9555E8555C62DCFD", true)] // Redis compares digests with strcasecmp
    [InlineData(ValueCondition.IfDigestEqual, "0000000000000000", false)]
    [InlineData(ValueCondition.IfDigestEqual, "zzzzzzzzzzzzzzzz", false)] // only the length is validated
    [InlineData(ValueCondition.IfDigestNotEqual, HelloDigest, false)]
    [InlineData(ValueCondition.IfDigestNotEqual, "zzzzzzzzzzzzzzzz", true)]
    public void SetIfDigest_ComparesTheDigestOfTheCurrentValue(ValueCondition compare, string digest, bool writes)
    {
        _h.Set("k", "hello");
        Assert.Equal(writes ? KvReply.Ok : KvReply.Nil, _h.SetIf("k", "new", compare, digest));
        Assert.Equal(Bulk(writes ? "new" : "hello"), _h.Get("k"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("9555e8555c62dcf")]
    [InlineData("09555e8555c62dcfd")]
    public void SetIfDigest_WithADigestOfAnotherLength_OnAString_IsAnError(string digest)
    {
        _h.Set("k", "hello");
        Assert.Equal(KvReply.FromError("ERR must be exactly 16 hexadecimal characters"), _h.SetIf("k", "new", ValueCondition.IfDigestEqual, digest));
        Assert.Equal(Bulk("hello"), _h.Get("k"));
    }

    [Fact]
    public void SetIfDigestNotEqual_WithAMalformedDigest_OnAMissingKey_CreatesIt()
    {
        // Redis validates the digest only once it found a string: a missing key is created by IFDNE.
        Assert.Equal(KvReply.Ok, _h.SetIf("k", "v", ValueCondition.IfDigestNotEqual, "bad"));
        Assert.Equal(Bulk("v"), _h.Get("k"));
    }

    [Theory]
    [InlineData(ValueCondition.IfEqual, "other", "old")]
    [InlineData(ValueCondition.IfEqual, "old", "new")]
    [InlineData(ValueCondition.IfNotEqual, "old", "old")]
    public void SetIfWithGet_RepliesTheOldValue_WhetherOrNotItWrites(ValueCondition compare, string match, string after)
    {
        _h.Set("k", "old");
        Assert.Equal(Bulk("old"), _h.SetIf("k", "new", compare, match, get: true));
        Assert.Equal(Bulk(after), _h.Get("k"));
    }

    [Fact]
    public void SetIf_OnAnotherType_IsWrongType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.FromError("WRONGTYPE Operation against a key holding the wrong kind of value"), _h.SetIf("k", "v", ValueCondition.IfNotEqual, "x"));
    }

    [Fact]
    public void SetIfWithNx_OnAnotherType_IsNilBeforeAnyTypeCheck()
    {
        // setGenericCommand refuses NX on an existing key before it looks at the value's type.
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.Nil, _h.SetIf("k", "v", ValueCondition.IfNotEqual, "x", SetCondition.IfNotExists));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SetIfNotEqualWithNx_WritesOnlyAMissingKey(bool exists)
    {
        if (exists)
        {
            _h.Set("k", "old");
        }

        Assert.Equal(exists ? KvReply.Nil : KvReply.Ok, _h.SetIf("k", "new", ValueCondition.IfNotEqual, "x", SetCondition.IfNotExists));
    }

    [Fact]
    public void SetIf_WithKeepTtl_KeepsTheDeadline()
    {
        _h.Set("k", "old", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000);
        Assert.Equal(KvReply.Ok, _h.SetIf("k", "new", ValueCondition.IfEqual, "old", expiry: ExpiryMode.Keep));
        Assert.Equal(1000, _h.Ttl("k"));
    }

    [Fact]
    public void DeleteIf_WithoutACondition_DeletesAnyType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.One, _h.DeleteIf("k"));
        Assert.Equal(KvReply.Zero, _h.DeleteIf("k"));
        Assert.Equal(0, _h.Storage.Count);
    }

    [Theory]
    [InlineData(ValueCondition.IfEqual, "hello", true)]
    [InlineData(ValueCondition.IfEqual, "other", false)]
    [InlineData(ValueCondition.IfNotEqual, "other", true)]
    [InlineData(ValueCondition.IfNotEqual, "hello", false)]
    [InlineData(ValueCondition.IfDigestEqual, HelloDigest, true)]
    [InlineData(ValueCondition.IfDigestEqual, "9555E8555C62DCFD", true)]
    [InlineData(ValueCondition.IfDigestEqual, "0000000000000000", false)]
    [InlineData(ValueCondition.IfDigestNotEqual, "0000000000000000", true)]
    [InlineData(ValueCondition.IfDigestNotEqual, HelloDigest, false)]
    public void DeleteIf_DeletesOnlyWhenTheConditionHolds(ValueCondition condition, string match, bool deletes)
    {
        _h.Set("k", "hello");
        Assert.Equal(deletes ? KvReply.One : KvReply.Zero, _h.DeleteIf("k", condition, match));
        Assert.Equal(deletes ? KvReply.Nil : Bulk("hello"), _h.Get("k"));
    }

    [Theory]
    [InlineData(ValueCondition.IfEqual)]
    [InlineData(ValueCondition.IfNotEqual)]
    [InlineData(ValueCondition.IfDigestEqual)]
    [InlineData(ValueCondition.IfDigestNotEqual)]
    public void DeleteIf_OnAMissingKey_IsZero(ValueCondition condition) =>
        Assert.Equal(KvReply.Zero, _h.DeleteIf("missing", condition, "bad"));

    [Fact]
    public void DeleteIf_WithAnUnknownCondition_OnAMissingKey_IsZero() =>
        Assert.Equal(KvReply.Zero, _h.DeleteIf("missing", error: "ERR bad condition"));

    [Fact]
    public void DeleteIf_WithAnUnknownCondition_OnAString_AnswersTheError()
    {
        _h.Set("k", "v");
        Assert.Equal(KvReply.FromError("ERR bad condition"), _h.DeleteIf("k", error: "ERR bad condition"));
        Assert.Equal(Bulk("v"), _h.Get("k"));
    }

    [Theory]
    [InlineData(ValueCondition.IfEqual, null)]
    [InlineData(ValueCondition.None, "ERR bad condition")]
    public void DeleteIf_WithAConditionOnAnotherType_IsRedissOwnError(ValueCondition condition, string? error)
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.FromError("ERR Key should be of string type if conditions are specified"), _h.DeleteIf("k", condition, "x", error));
        Assert.Equal(1, _h.Storage.Count);
    }

    [Fact]
    public void DeleteIfDigest_WithADigestOfAnotherLength_IsAnError()
    {
        _h.Set("k", "hello");
        Assert.Equal(KvReply.FromError("ERR must be exactly 16 hexadecimal characters"), _h.DeleteIf("k", ValueCondition.IfDigestNotEqual, "0" + HelloDigest));
        Assert.Equal(Bulk("hello"), _h.Get("k"));
    }

    [Fact]
    public void Digest_OfAString_IsItsXxh3InLowercaseHex()
    {
        _h.Set("k", "hello");
        Assert.Equal(Bulk(HelloDigest), _h.Digest("k"));
    }

    [Fact]
    public void Digest_OfAMissingKey_IsNil() => Assert.Equal(KvReply.Nil, _h.Digest("missing"));

    [Fact]
    public void Digest_OfAnotherType_IsWrongType()
    {
        _h.PlantOtherType("k");
        Assert.Equal(KvReply.FromError("WRONGTYPE Operation against a key holding the wrong kind of value"), _h.Digest("k"));
    }
}

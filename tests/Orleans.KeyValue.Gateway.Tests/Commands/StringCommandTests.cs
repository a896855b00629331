namespace Orleans.KeyValue.Gateway.Tests.Commands;

public sealed class StringCommandTests : IDisposable
{
    private readonly GatewayHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("nx", "xx")]
    [InlineData("xx", "nx")]
    [InlineData("ex", "10", "px", "100")]
    [InlineData("px", "100", "ex", "10")]
    [InlineData("exat", "9999999999", "pxat", "9999999999000")]
    [InlineData("keepttl", "ex", "10")]
    [InlineData("ex", "10", "keepttl")]
    [InlineData("ex")]
    [InlineData("px")]
    [InlineData("persist")]
    [InlineData("bogus")]
    public void Set_WithConflictingOrIncompleteOptions_IsASyntaxError(params string[] options)
    {
        var reply = _h.Run(["set", "k", "v", .. options]);
        Assert.Equal(GatewayHarness.Err("ERR syntax error"), reply);
        Assert.Equal(KvReply.Nil, _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("EX", "10", "ex", "20")]
    [InlineData("nx", "NX")]
    [InlineData("Get", "gEt")]
    [InlineData("KEEPTTL", "keepttl")]
    public void Set_WithARepeatedOption_IsAccepted(params string[] options) =>
        Assert.NotEqual(KvReply.FromError("ERR syntax error"), _h.Run(["set", "k", "v", .. options]));

    [Fact]
    public void Set_WithRepeatedEx_TakesTheLastValue()
    {
        _h.Run("set", "k", "v", "EX", "10", "EX", "20");
        Assert.Equal(KvReply.FromInteger(20), _h.Run("ttl", "k"));
    }

    [Theory]
    [InlineData("ex", "0")]
    [InlineData("ex", "-1")]
    [InlineData("px", "0")]
    [InlineData("exat", "0")]
    [InlineData("pxat", "-5")]
    [InlineData("ex", "9223372036854775807")]
    [InlineData("px", "9223372036854775807")]
    [InlineData("ex", "9223372036854776")]
    public void Set_WithZeroNegativeOrOverflowingTime_IsAnInvalidExpireTime(string option, string value) =>
        Assert.Equal(GatewayHarness.Err("ERR invalid expire time in 'set' command"), _h.Run("set", "k", "v", option, value));

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("+1")]
    [InlineData("99999999999999999999")]
    public void Set_WithANonIntegerTime_IsNotAnInteger(string value) =>
        Assert.Equal(GatewayHarness.Err("ERR value is not an integer or out of range"), _h.Run("set", "k", "v", "ex", value));

    [Fact]
    public void Set_WithPx_SetsTheDeadlineFromNow()
    {
        _h.Run("set", "k", "v", "px", "1500");
        Assert.Equal(KvReply.FromInteger(1500), _h.Run("pttl", "k"));
        Assert.Equal(KvReply.FromInteger(_h.NowMs + 1500), _h.Run("pexpiretime", "k"));
    }

    [Fact]
    public void Set_WithExAt_SetsTheAbsoluteDeadline()
    {
        var at = (_h.NowMs / 1000) + 100;
        _h.Run("set", "k", "v", "exat", at.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(KvReply.FromInteger(at), _h.Run("expiretime", "k"));
    }

    [Fact]
    public void Set_WithPxAtInThePast_LeavesNoKey()
    {
        Assert.Equal(KvReply.Ok, _h.Run("set", "k", "v", "pxat", "1000"));
        Assert.Equal(KvReply.Nil, _h.Run("get", "k"));
    }

    [Fact]
    public void SetNx_ReturnsOneThenZero()
    {
        Assert.Equal(KvReply.One, _h.Run("setnx", "k", "a"));
        Assert.Equal(KvReply.Zero, _h.Run("setnx", "k", "b"));
        Assert.Equal(GatewayHarness.Bulk("a"), _h.Run("get", "k"));
    }

    [Theory]
    [InlineData("setex", "0", "ERR invalid expire time in 'setex' command")]
    [InlineData("setex", "-3", "ERR invalid expire time in 'setex' command")]
    [InlineData("psetex", "0", "ERR invalid expire time in 'psetex' command")]
    [InlineData("setex", "x", "ERR value is not an integer or out of range")]
    public void SetEx_WithABadTime_Fails(string command, string time, string error) =>
        Assert.Equal(GatewayHarness.Err(error), _h.Run(command, "k", time, "v"));

    [Fact]
    public void SetEx_SetsValueAndDeadline()
    {
        Assert.Equal(KvReply.Ok, _h.Run("setex", "k", "10", "v"));
        Assert.Equal(KvReply.FromInteger(10_000), _h.Run("pttl", "k"));
        _h.Time.Advance(TimeSpan.FromMilliseconds(10_001));
        Assert.Equal(KvReply.Nil, _h.Run("get", "k"));
    }

    [Fact]
    public void GetEx_WithABadTime_OnAMissingKey_ReturnsNil() =>
        Assert.Equal(KvReply.Nil, _h.Run("getex", "missing", "ex", "-1"));

    [Fact]
    public void GetEx_WithABadTime_OnAnExistingKey_ReturnsTheError()
    {
        _h.Run("set", "k", "v");
        Assert.Equal(GatewayHarness.Err("ERR invalid expire time in 'getex' command"), _h.Run("getex", "k", "ex", "-1"));
    }

    [Theory]
    [InlineData("nx")]
    [InlineData("keepttl")]
    [InlineData("get")]
    [InlineData("ex", "10", "persist")]
    [InlineData("persist", "px", "10")]
    public void GetEx_WithASetOnlyOrConflictingOption_IsASyntaxError(params string[] options)
    {
        _h.Run("set", "k", "v");
        Assert.Equal(GatewayHarness.Err("ERR syntax error"), _h.Run(["getex", "k", .. options]));
    }

    [Fact]
    public void GetEx_WithEx_SetsTheDeadline()
    {
        _h.Run("set", "k", "v");
        Assert.Equal(GatewayHarness.Bulk("v"), _h.Run("getex", "k", "EX", "5"));
        Assert.Equal(KvReply.FromInteger(5), _h.Run("ttl", "k"));
    }
}

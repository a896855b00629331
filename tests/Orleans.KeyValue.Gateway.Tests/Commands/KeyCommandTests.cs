namespace Orleans.KeyValue.Gateway.Tests.Commands;

public sealed class KeyCommandTests : IDisposable
{
    private readonly GatewayHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void DelAndExists_CountEveryKeyGiven_DuplicatesIncluded()
    {
        _h.Run("set", "a", "1");
        _h.Run("set", "b", "2");
        Assert.Equal(KvReply.FromInteger(3), _h.Run("exists", "a", "a", "b", "c"));
        Assert.Equal(KvReply.FromInteger(2), _h.Run("del", "a", "a", "b", "c"));
        Assert.Equal(KvReply.Zero, _h.Run("exists", "a", "b"));
    }

    [Theory]
    [InlineData("ERR NX and XX, GT or LT options at the same time are not compatible", "nx", "xx")]
    [InlineData("ERR NX and XX, GT or LT options at the same time are not compatible", "nx", "gt")]
    [InlineData("ERR GT and LT options at the same time are not compatible", "gt", "lt")]
    [InlineData("ERR Unsupported option foo", "foo")]
    public void Expire_WithBadOptions_Fails(string error, params string[] options) =>
        Assert.Equal(GatewayHarness.Err(error), _h.Run(["expire", "k", "10", .. options]));

    [Theory]
    [InlineData("expire", "9223372036854775807", "ERR invalid expire time in 'expire' command")]
    [InlineData("pexpire", "9223372036854775807", "ERR invalid expire time in 'pexpire' command")]
    [InlineData("expire", "abc", "ERR value is not an integer or out of range")]
    public void Expire_WithAnOverflowingOrBadTime_Fails(string command, string time, string error) =>
        Assert.Equal(GatewayHarness.Err(error), _h.Run(command, "k", time));

    [Fact]
    public void Expire_WithANegativeTime_DeletesTheKey()
    {
        _h.Run("set", "k", "v");
        Assert.Equal(KvReply.One, _h.Run("expire", "k", "-1"));
        Assert.Equal(KvReply.FromInteger(-2), _h.Run("ttl", "k"));
    }

    [Fact]
    public void ExpireXxLt_RequiresAnExistingDeadline()
    {
        _h.Run("set", "k", "v");
        Assert.Equal(KvReply.Zero, _h.Run("expire", "k", "10", "xx", "lt"));
        Assert.Equal(KvReply.One, _h.Run("expire", "k", "100"));
        Assert.Equal(KvReply.One, _h.Run("expire", "k", "10", "xx", "lt"));
        Assert.Equal(KvReply.FromInteger(10), _h.Run("ttl", "k"));
    }

    [Fact]
    public void Keys_AndScan_ListLiveKeysMatchingThePattern()
    {
        _h.Run("set", "user:1", "a");
        _h.Run("set", "user:2", "b");
        _h.Run("set", "other", "c");
        _h.Run("set", "user:gone", "d", "px", "10");
        _h.Time.Advance(TimeSpan.FromMilliseconds(11));

        var keys = _h.Run("keys", "user:*").Items!.Select(i => i.ToString()).Order();
        Assert.Equal(["\"user:1\"", "\"user:2\""], keys);

        var seen = new List<string>();
        var cursor = "0";
        do
        {
            var reply = _h.Run("scan", cursor, "match", "user:*", "count", "1");
            cursor = System.Text.Encoding.UTF8.GetString(reply.Items![0].Bytes.Span);
            seen.AddRange(reply.Items![1].Items!.Select(i => i.ToString()));
        }
        while (cursor != "0");

        Assert.Equal(["\"user:1\"", "\"user:2\""], seen.Order());
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-1")]
    public void Scan_WithABadCursor_Fails(string cursor) =>
        Assert.Equal(GatewayHarness.Err("ERR invalid cursor"), _h.Run("scan", cursor));

    [Fact]
    public void FlushAll_EmptiesTheKeyspace_EvenForActiveGrains()
    {
        _h.Run("set", "a", "1");
        Assert.Equal(KvReply.Ok, _h.Run("flushall"));
        Assert.Equal(KvReply.Zero, _h.Run("dbsize"));
        Assert.Equal(KvReply.Nil, _h.Run("get", "a"));
    }
}

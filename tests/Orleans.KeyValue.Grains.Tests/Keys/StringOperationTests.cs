using System.Text;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Grains.Tests.Keys;

/// <summary>
/// The string operations where the differential tests cannot reach: limits smaller than 512 MB,
/// deadlines on a fake clock, staging for a backup, and the long double arithmetic itself.
/// </summary>
public sealed class StringOperationTests : IDisposable
{
    private readonly KeyGrainHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Append_PastTheLimit_IsRefusedAndChangesNothing()
    {
        _harness.Set("k", "12345");

        var reply = _harness.Call("k", new StringCall(new StringRequest(StringOperation.Append, Value: "678"u8.ToArray(), MaxLength: 7)));

        Assert.Equal(ErrorReplies.StringTooLong, reply.Text);
        Assert.Equal("12345", Encoding.UTF8.GetString(_harness.Get("k").Bytes.Span));
    }

    [Fact]
    public void SetRange_PastTheLimit_IsRefusedAndCreatesNothing()
    {
        var reply = _harness.Call("k", new StringCall(new StringRequest(StringOperation.SetRange, 6, Value: "xy"u8.ToArray(), MaxLength: 7)));

        Assert.Equal(ErrorReplies.StringTooLong, reply.Text);
        Assert.Equal(KvReplyKind.Nil, _harness.Get("k").Kind);
    }

    [Fact]
    public void Incr_KeepsTheDeadline_AndTheKeyStillExpires()
    {
        _harness.Set("k", "1", expiry: ExpiryMode.At, deadline: _harness.NowMs + 1_000);

        Assert.Equal(2, _harness.Call("k", new StringCall(new StringRequest(StringOperation.IncrementBy, 1))).Integer);
        _harness.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal("2", Encoding.UTF8.GetString(_harness.Get("k").Bytes.Span));
        _harness.Time.Advance(TimeSpan.FromMilliseconds(2)); // past the deadline (Redis: expired once now > deadline)
        Assert.Equal(KvReplyKind.Nil, _harness.Get("k").Kind);
    }

    [Fact]
    public void Incr_Staged_IsNotStoredUntilCommitted()
    {
        _harness.Set("k", "41");
        var operations = _harness.Operations("k");
        operations.BeginStaging();

        Assert.Equal(42, operations.String(new StringRequest(StringOperation.IncrementBy, 1)).Integer);
        Assert.True(operations.TakeStaged(out var record));
        Assert.Equal("41", Encoding.UTF8.GetString(_harness.Get("k").Bytes.Span));

        operations.Commit(record);
        Assert.Equal("42", Encoding.UTF8.GetString(_harness.Get("k").Bytes.Span));
    }

    [Theory]
    [InlineData("10.5", "0.1", "10.6")]
    [InlineData("5.0e3", "2.0e2", "5200")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("1", "-1", "0")]
    [InlineData("-0", "-0", "0")]
    [InlineData("0x10", "0x1p-1", "16.5")]
    [InlineData("1e20", "0", "100000000000000000000")]
    [InlineData("-1.5", "0.25", "-1.25")]
    [InlineData("0", "1e-18", "0")]
    [InlineData("0", "-1e-18", "0")]
    public void LongDouble_SumsAndPrintsAsRedis(string value, string increment, string expected)
    {
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(value), out var a));
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(increment), out var b));

        Assert.Equal(expected, LongDouble.Add(a, b).ToRedisString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("nan")]
    [InlineData("1e")]
    [InlineData("0x")]
    [InlineData(".")]
    [InlineData("1e5000")]
    [InlineData("1e-5000")]
    [InlineData("infinit")]
    public void LongDouble_RefusesWhatRedisRefuses(string text)
    {
        Assert.False(LongDouble.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void LongDouble_StopsAtAZeroByte_AsRedisCString()
    {
        Assert.True(LongDouble.TryParse("1.5\0junk"u8, out var value));
        Assert.Equal("1.5", value.ToRedisString());
    }
}

using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orleans.KeyValue.Resp.Tests;

public sealed class RespNumberTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("-1", -1L)]
    [InlineData("10", 10L)]
    [InlineData("-10", -10L)]
    [InlineData("1234567890", 1234567890L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("9223372036854775806", long.MaxValue - 1)]
    public void TryParseInt64_CanonicalInteger_IsAccepted(string text, long expected)
    {
        Assert.True(RespNumber.TryParseInt64(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData("-0")]
    [InlineData("-01")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1\r")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("abc")]
    [InlineData("1a")]
    [InlineData("--1")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("-99999999999999999999")]
    [InlineData("100000000000000000000")]
    public void TryParseInt64_NonCanonicalText_IsRefused(string text)
    {
        Assert.False(RespNumber.TryParseInt64(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryParseInt64_AnyInt64Formatted_RoundTrips()
    {
        var values = Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue), (high, low) => ((long)high << 32) | (uint)low);
        var interesting = Gen.Frequency(
            (5, values),
            (1, Gen.Elements(0L, 1L, -1L, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1)));

        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(1000),
            Prop.ForAll(interesting.ToArbitrary(), (long expected) =>
                RespNumber.TryParseInt64(Encoding.ASCII.GetBytes(expected.ToString(CultureInfo.InvariantCulture)), out var value)
                    && value == expected));
    }

    [Fact]
    public void TryParseInt64_WithLeadingZeroOrPlus_IsRefused()
    {
        var values = Gen.Choose(0, int.MaxValue).Select(i => (long)i).ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(values, (long value) =>
            {
                var text = value.ToString(CultureInfo.InvariantCulture);
                return !RespNumber.TryParseInt64(Encoding.ASCII.GetBytes("0" + text), out _)
                    && !RespNumber.TryParseInt64(Encoding.ASCII.GetBytes("+" + text), out _);
            }));
    }
}

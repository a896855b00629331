using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Tests.Scripting;

public sealed class LuaNumberFormatterTests
{
    // Expected texts: what redis-server 7.0.15 stored for redis.call('set', 'a', <number>).
    [Theory]
    [InlineData(3.0, "3")]
    [InlineData(3.5, "3.5")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.0, "0")]
    [InlineData(123456789012.0, "123456789012")]
    [InlineData(1e20, "1e+20")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(9223372036854775808.0, "9.2233720368547758e+18")]
    [InlineData(1e-7, "9.9999999999999995e-08")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1e+17")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(-2.5e-5, "-2.5000000000000001e-05")]
    [InlineData(1e300, "1.0000000000000001e+300")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void FormatG17_MatchesGlibcPrintf(double value, string expected)
    {
        Assert.Equal(expected, LuaNumberFormatter.FormatG17(value));
    }

    [Fact]
    public void FormatG17_NaNWithSignBit_IsMinusNan()
    {
        Assert.Equal("-nan", LuaNumberFormatter.FormatG17(-double.NaN));
        Assert.Equal("nan", LuaNumberFormatter.FormatG17(Math.Abs(double.NaN)));
    }

    [Theory]
    [InlineData(3.99, 3L)]
    [InlineData(-3.99, -3L)]
    [InlineData(9.2233720368547758e18, long.MinValue)]
    [InlineData(-9.2233720368547758e18, long.MinValue)]
    [InlineData(double.NaN, long.MinValue)]
    public void ToRedisInteger_TruncatesLikeCCast(double value, long expected)
    {
        Assert.Equal(expected, LuaNumberFormatter.ToRedisInteger(value));
    }
}

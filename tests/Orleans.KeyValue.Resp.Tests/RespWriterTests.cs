using System.Buffers;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orleans.KeyValue.Resp.Tests;

/// <summary>Frames as redis-server 7.0.15 writes them.</summary>
public sealed class RespWriterTests
{
    [Fact]
    public void WriteOk_WritesStatusOk() => Assert.Equal("+OK\r\n", Written(w => RespWriter.WriteOk(w)));

    [Fact]
    public void WriteRaw_CopiesTheFrame() => Assert.Equal("+PONG\r\n", Written(w => RespWriter.WriteRaw(w, "+PONG\r\n"u8)));

    [Fact]
    public void WriteSimpleString_WritesStatusLine() => Assert.Equal("+PONG\r\n", Written(w => RespWriter.WriteSimpleString(w, "PONG")));

    [Fact]
    public void WriteSimpleString_WithLineBreaks_ReplacesThemWithSpaces() =>
        Assert.Equal("+a  b c\r\n", Written(w => RespWriter.WriteSimpleString(w, "a\r\nb\nc")));

    [Fact]
    public void WriteError_WritesErrorLine() =>
        Assert.Equal("-ERR syntax error\r\n", Written(w => RespWriter.WriteError(w, "ERR syntax error")));

    [Fact]
    public void WriteError_WithLineBreaks_ReplacesThemWithSpaces() =>
        Assert.Equal("-ERR bad  input here\r\n", Written(w => RespWriter.WriteError(w, "ERR bad\r\ninput\rhere")));

    [Fact]
    public void WriteError_NonAscii_IsUtf8() =>
        Assert.Equal("-ERR caf\u00c3\u00a9\r\n", Written(w => RespWriter.WriteError(w, "ERR caf\u00e9")));

    [Theory]
    [InlineData(0L, ":0\r\n")]
    [InlineData(1L, ":1\r\n")]
    [InlineData(-1L, ":-1\r\n")]
    [InlineData(long.MaxValue, ":9223372036854775807\r\n")]
    [InlineData(long.MinValue, ":-9223372036854775808\r\n")]
    public void WriteInteger_WritesDecimal(long value, string expected) => Assert.Equal(expected, Written(w => RespWriter.WriteInteger(w, value)));

    [Fact]
    public void WriteBulk_Bytes_WritesLengthAndData() =>
        Assert.Equal("$5\r\nhello\r\n", Written(w => RespWriter.WriteBulk(w, "hello"u8)));

    [Fact]
    public void WriteBulk_Empty_WritesZeroLength() =>
        Assert.Equal("$0\r\n\r\n", Written(w => RespWriter.WriteBulk(w, ReadOnlySpan<byte>.Empty)));

    [Fact]
    public void WriteBulk_BinaryWithLineBreaks_KeepsThem() =>
        Assert.Equal("$6\r\n\r\n\0\xff\r\n\r\n", Written(w => RespWriter.WriteBulk(w, [13, 10, 0, 255, 13, 10])));

    [Fact]
    public void WriteBulk_String_WritesUtf8Length() =>
        Assert.Equal("$5\r\ncaf\u00c3\u00a9\r\n", Written(w => RespWriter.WriteBulk(w, "caf\u00e9")));

    [Fact]
    public void WriteBulk_LargeValue_IsWrittenWhole()
    {
        var value = new byte[100_000];
        new Random(7).NextBytes(value);
        var writer = new ArrayBufferWriter<byte>(1);
        RespWriter.WriteBulk(writer, value);

        Assert.Equal("$100000\r\n"u8.ToArray(), writer.WrittenSpan[..9].ToArray());
        Assert.Equal(value, writer.WrittenSpan[9..^2].ToArray());
        Assert.Equal("\r\n"u8.ToArray(), writer.WrittenSpan[^2..].ToArray());
    }

    [Theory]
    [InlineData(2, "$-1\r\n")]
    [InlineData(3, "_\r\n")]
    public void WriteNull_DependsOnProtocol(int protocol, string expected) => Assert.Equal(expected, Written(w => RespWriter.WriteNull(w, protocol)));

    [Theory]
    [InlineData(2, "*-1\r\n")]
    [InlineData(3, "_\r\n")]
    public void WriteNullArray_DependsOnProtocol(int protocol, string expected) =>
        Assert.Equal(expected, Written(w => RespWriter.WriteNullArray(w, protocol)));

    [Theory]
    [InlineData(0, "*0\r\n")]
    [InlineData(3, "*3\r\n")]
    [InlineData(int.MaxValue, "*2147483647\r\n")]
    public void WriteArrayHeader_WritesCount(int count, string expected) => Assert.Equal(expected, Written(w => RespWriter.WriteArrayHeader(w, count)));

    [Theory]
    [InlineData(2, 0, "*0\r\n")]
    [InlineData(2, 2, "*4\r\n")]
    [InlineData(2, int.MaxValue, "*4294967294\r\n")]
    [InlineData(3, 0, "%0\r\n")]
    [InlineData(3, 2, "%2\r\n")]
    public void WriteMapHeader_Resp2FlatArrayResp3Map(int protocol, int pairs, string expected) =>
        Assert.Equal(expected, Written(w => RespWriter.WriteMapHeader(w, pairs, protocol)));

    [Theory]
    [InlineData(2, 3, "*3\r\n")]
    [InlineData(3, 3, "~3\r\n")]
    [InlineData(3, 0, "~0\r\n")]
    public void WriteSetHeader_Resp2ArrayResp3Set(int protocol, int count, string expected) =>
        Assert.Equal(expected, Written(w => RespWriter.WriteSetHeader(w, count, protocol)));

    // Texts from ZSCORE on redis-server 7.0.15 (%.17g).
    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(3.0, "3")]
    [InlineData(0.0, "0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    public void WriteDouble_WritesRedisText(double value, string text)
    {
        Assert.Equal($"${text.Length}\r\n{text}\r\n", Written(w => RespWriter.WriteDouble(w, value, 2)));
        Assert.Equal($",{text}\r\n", Written(w => RespWriter.WriteDouble(w, value, 3)));
    }

    [Fact]
    public void WriteDouble_AnyFiniteValue_ParsesBackExactly()
    {
        var doubles = Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue), (high, low) => BitConverter.Int64BitsToDouble(((long)high << 32) | (uint)low))
            .Where(double.IsFinite)
            .ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(1000),
            Prop.ForAll(doubles, (double value) =>
            {
                var frame = Written(w => RespWriter.WriteDouble(w, value, 3));
                return double.Parse(frame.AsSpan(1, frame.Length - 3), NumberStyles.Float, CultureInfo.InvariantCulture).Equals(value);
            }));
    }

    [Theory]
    [InlineData(2, true, ":1\r\n")]
    [InlineData(2, false, ":0\r\n")]
    [InlineData(3, true, "#t\r\n")]
    [InlineData(3, false, "#f\r\n")]
    public void WriteBoolean_Resp2IntegerResp3Boolean(int protocol, bool value, string expected) =>
        Assert.Equal(expected, Written(w => RespWriter.WriteBoolean(w, value, protocol)));

    // null! on purpose: the guard against callers that ignore nullability is what is tested.
    [Fact]
    public void WriteInteger_NullWriter_Throws() => Assert.Throws<ArgumentNullException>(() => RespWriter.WriteInteger(null!, 1));

    // null! on purpose, as above.
    [Fact]
    public void WriteError_NullText_Throws() => Assert.Throws<ArgumentNullException>(() => RespWriter.WriteError(new ArrayBufferWriter<byte>(), null!));

    private static string Written(Action<IBufferWriter<byte>> write)
    {
        // A one-byte start makes every frame ask the writer for room it does not have yet.
        var writer = new ArrayBufferWriter<byte>(1);
        write(writer);
        return Encoding.Latin1.GetString(writer.WrittenSpan);
    }
}

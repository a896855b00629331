using System.Globalization;
using System.Text;
using Orleans.KeyValue.Grains.Hashing;

namespace Orleans.KeyValue.Grains.Tests.Hashing;

public sealed class ValueDigestTests
{
    // xxHash's sanity buffer (cli/xsum_sanity_check.c, tests/sanity_test.c): byte i is the top
    // byte of PRIME32 * PRIME64^i, 4096 + 64 + 1 bytes long.
    private const ulong Prime32 = 2654435761UL;
    private const ulong Prime64 = 11400714785074694797UL;
    private const int SanityBufferSize = 4096 + 64 + 1;

    private static readonly byte[] SanityBuffer = CreateSanityBuffer();

    private static byte[] CreateSanityBuffer()
    {
        var buffer = new byte[SanityBufferSize];
        var generator = Prime32;
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(generator >> 56);
            generator *= Prime64;
        }

        return buffer;
    }

    // XXH3_64bits with seed 0 over the first <length> bytes of the sanity buffer. The values are
    // xxHash's: lengths 0, 1, 6, 12, 24, 48, 80, 195, 403, 512, 2048, 2240 and 2367 from the
    // XSUM_XXH3_testdata table of cli/xsum_sanity_check.c (Cyan4973/xxHash); the others from the
    // same table in tests/sanity_test_vectors.h of xxHash v0.8.2 (as reproduced in Effect's
    // xxHash3 tests, which run them against the same buffer).
    [Theory]
    [InlineData(0, "2D06800538D394C2")] // empty input
    [InlineData(1, "C44BDFF4074EECDB")] // 1-3
    [InlineData(2, "7A9978044CB8A8BB")]
    [InlineData(3, "54247382A8D6B94D")]
    [InlineData(4, "E5DC74BC51848A51")] // 4-8
    [InlineData(6, "27B56A84CD2D7325")]
    [InlineData(8, "24CCC9ACAA9F65E4")]
    [InlineData(12, "A713DAF0DFBB77E7")] // 9-16
    [InlineData(16, "981B17D36C7498C9")]
    [InlineData(17, "796F5ACD3A60F862")] // 17-128: one lane pair
    [InlineData(24, "A3FE70BF9D3510EB")]
    [InlineData(32, "9FEADDBDBF57EED3")]
    [InlineData(33, "ABFB2D081B400A10")] // two lane pairs
    [InlineData(48, "397DA259ECBA1F11")]
    [InlineData(64, "9CB48487720EC49D")]
    [InlineData(65, "FD81AAC4BEBC3883")] // three lane pairs
    [InlineData(80, "BCDEFBBB2C47C90A")]
    [InlineData(128, "FCFF24126754D861")] // four lane pairs
    [InlineData(129, "98F1B0A679A2CA29")] // 129-240
    [InlineData(195, "CD94217EE362EC3A")]
    [InlineData(240, "81C3C2B67F568CCF")]
    [InlineData(241, "C5A639ECD2030E5E")] // long: one partial block, overlapping last stripe
    [InlineData(256, "55DE574AD89D0AC5")] // stripe boundary
    [InlineData(257, "B17FD5A8AE75BB0B")]
    [InlineData(403, "CDEB804D65C6DEA4")] // one block, last stripe overlapping
    [InlineData(512, "617E49599013CB6B")] // one block, ending at a stripe boundary
    [InlineData(1024, "DD85C9B5C1109C5C")] // exactly one block: handled as the last block
    [InlineData(2048, "DD59E2C3A5F038E0")] // two blocks, ending at a block boundary (one scramble)
    [InlineData(2240, "6E73A90539CF2948")] // three blocks, ending at a stripe boundary
    [InlineData(2367, "CB37AEB9E5D361ED")] // three blocks, last stripe overlapping
    [InlineData(4096, "E91206429D1F48F9")] // four blocks, three scrambles
    [InlineData(4160, "4F323B15321E94E1")] // four full blocks and one stripe
    public void Hash64_OfTheSanityBuffer_MatchesXxHashsVectors(int length, string expected) =>
        Assert.Equal(ulong.Parse(expected, NumberStyles.HexNumber, CultureInfo.InvariantCulture), ValueDigest.Hash64(SanityBuffer.AsSpan(0, length)));

    [Fact]
    public void Hash64_ReadsOnlyItsSlice()
    {
        // Bytes past the end of the span must not count (the last stripe and lanes read backwards from the end).
        var copy = SanityBuffer.AsSpan(0, 2367).ToArray();
        Assert.Equal(ValueDigest.Hash64(SanityBuffer.AsSpan(0, 2367)), ValueDigest.Hash64(copy));
    }

    // DIGEST replies as Redis 8.4 gives them: "Hello world" is the example on redis.io/commands/digest;
    // "hello", "", "123" and "v8" are asserted against Redis 8.4 by fakeredis' DIGEST tests
    // (test_digest, which keeps the leading zero of "v8"); "test" is in Dragonfly's DIGEST docs.
    [Theory]
    [InlineData("Hello world", "b6acb9d84a38ff74")]
    [InlineData("hello", "9555e8555c62dcfd")]
    [InlineData("", "2d06800538d394c2")]
    [InlineData("123", "404a763b3f4c8c9a")]
    [InlineData("v8", "0cc76dbb41381419")]
    [InlineData("test", "9ec9f7918d7dfc40")]
    public void HexDigest_IsWhatRedisDigestReplies(string value, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(ValueDigest.HexDigest(Encoding.UTF8.GetBytes(value))));

    [Theory]
    [InlineData(0UL, "0000000000000000")]
    [InlineData(0xABCUL, "0000000000000abc")]
    [InlineData(ulong.MaxValue, "ffffffffffffffff")]
    public void WriteHex_WritesSixteenLowercaseDigitsWithLeadingZeros(ulong hash, string expected)
    {
        Span<byte> hex = stackalloc byte[ValueDigest.HexLength];
        ValueDigest.WriteHex(hash, hex);
        Assert.Equal(expected, Encoding.ASCII.GetString(hex));
    }
}

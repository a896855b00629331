using System.IO.Hashing;

namespace Orleans.KeyValue.Grains.Hashing;

/// <summary>
/// The digest Redis 8.4's <c>DIGEST</c>, <c>IFDEQ</c> and <c>IFDNE</c> use: XXH3-64 with seed 0
/// (System.IO.Hashing's <see cref="XxHash3"/>), written as 16 lowercase hex digits.
/// </summary>
internal static class ValueDigest
{
    /// <summary>Length of a digest written as hex: 16 lowercase digits, leading zeros kept.</summary>
    public const int HexLength = 16;

    /// <summary>XXH3-64 of <paramref name="input"/> with seed 0.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> input) => XxHash3.HashToUInt64(input);

    /// <summary>
    /// Writes <paramref name="hash"/> as Redis's <c>DIGEST</c> does (<c>%016llx</c>): 16 lowercase
    /// hex digits, leading zeros kept.
    /// </summary>
    public static void WriteHex(ulong hash, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HexLength);
        for (var i = HexLength - 1; i >= 0; i--)
        {
            var nibble = (int)(hash & 0xF);
            destination[i] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            hash >>= 4;
        }
    }

    /// <summary>The 16 hex digits of the XXH3-64 of <paramref name="input"/>, as a new array (a reply owns it).</summary>
    public static byte[] HexDigest(ReadOnlySpan<byte> input)
    {
        var hex = new byte[HexLength];
        WriteHex(Hash64(input), hex);
        return hex;
    }
}

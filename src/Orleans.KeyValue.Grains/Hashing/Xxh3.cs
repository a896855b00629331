using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Orleans.KeyValue.Grains.Hashing;

/// <summary>
/// XXH3-64 with seed 0 and the default secret: the hash Redis 8.4's <c>DIGEST</c>, <c>IFDEQ</c> and
/// <c>IFDNE</c> use (xxHash v0.8). Written from the algorithm's description; checked against
/// xxHash's published sanity vectors. Allocation-free: inputs are spans, the long-input state is
/// eight accumulators on the stack.
/// </summary>
/// <remarks>
/// The input lengths take different paths, as in the reference: 0, 1-3, 4-8, 9-16, 17-128,
/// 129-240, and above 240 the striped loop (64-byte stripes, 16 stripes to a 1024-byte block,
/// a scramble after each full block, then the last partial block and a last stripe that ends
/// exactly at the end of the input and so may overlap the one before).
/// </remarks>
internal static class Xxh3
{
    /// <summary>Length of a digest written as hex: 16 lowercase digits, leading zeros kept.</summary>
    public const int HexLength = 16;

    private const ulong Prime32_1 = 0x9E3779B1UL;
    private const ulong Prime32_2 = 0x85EBCA77UL;
    private const ulong Prime32_3 = 0xC2B2AE3DUL;
    private const ulong Prime64_1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime64_2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime64_3 = 0x165667B19E3779F9UL;
    private const ulong Prime64_4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime64_5 = 0x27D4EB2F165667C5UL;
    private const ulong PrimeMx1 = 0x165667919E3779F9UL;
    private const ulong PrimeMx2 = 0x9FB21C651E98DF25UL;

    private const int StripeLength = 64;
    private const int SecretConsumeRate = 8;
    private const int MidSizeMax = 240;
    private const int MidSizeStartOffset = 3;
    private const int MidSizeLastOffset = 17;
    private const int SecretSizeMin = 136;
    private const int SecretLastStripeStart = 7;
    private const int SecretMergeStart = 11;

    // The default secret of XXH3 (xxHash's kSecret): 192 bytes every implementation shares.
    private static ReadOnlySpan<byte> Secret =>
    [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ];

    /// <summary>XXH3-64 of <paramref name="input"/> with seed 0.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> input) => input.Length switch
    {
        0 => XxhAvalanche(Read64(Secret, 56) ^ Read64(Secret, 64)),
        <= 3 => HashUpTo3(input),
        <= 8 => HashUpTo8(input),
        <= 16 => HashUpTo16(input),
        <= 128 => HashUpTo128(input),
        <= MidSizeMax => HashUpTo240(input),
        _ => HashLong(input),
    };

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

    private static ulong HashUpTo3(ReadOnlySpan<byte> input)
    {
        // First, middle and last byte with the length: every byte of a 1-3 byte input counts.
        var length = (uint)input.Length;
        var combined = ((uint)input[0] << 16) | ((uint)input[input.Length >> 1] << 24) | input[^1] | (length << 8);
        var flip = (ulong)(Read32(Secret, 0) ^ Read32(Secret, 4));
        return XxhAvalanche(combined ^ flip);
    }

    private static ulong HashUpTo8(ReadOnlySpan<byte> input)
    {
        var first = (ulong)Read32(input, 0);
        var last = (ulong)Read32(input, input.Length - 4);
        var flip = Read64(Secret, 8) ^ Read64(Secret, 16);
        var keyed = (last + (first << 32)) ^ flip;

        // rrmxmx: a strong mixer for the 4-8 byte case, which has no multiply of its own.
        keyed ^= BitOperations.RotateLeft(keyed, 49) ^ BitOperations.RotateLeft(keyed, 24);
        keyed *= PrimeMx2;
        keyed ^= (keyed >> 35) + (ulong)input.Length;
        keyed *= PrimeMx2;
        return keyed ^ (keyed >> 28);
    }

    private static ulong HashUpTo16(ReadOnlySpan<byte> input)
    {
        var low = Read64(input, 0) ^ (Read64(Secret, 24) ^ Read64(Secret, 32));
        var high = Read64(input, input.Length - 8) ^ (Read64(Secret, 40) ^ Read64(Secret, 48));
        var acc = (ulong)input.Length + BinaryPrimitives.ReverseEndianness(low) + high + MultiplyFold(low, high);
        return Avalanche(acc);
    }

    private static ulong HashUpTo128(ReadOnlySpan<byte> input)
    {
        // Pairs of 16-byte lanes from both ends, working inwards; the ends overlap for short inputs.
        var length = input.Length;
        var acc = (ulong)length * Prime64_1;
        if (length > 32)
        {
            if (length > 64)
            {
                if (length > 96)
                {
                    acc += Mix16(input, 48, 96);
                    acc += Mix16(input, length - 64, 112);
                }

                acc += Mix16(input, 32, 64);
                acc += Mix16(input, length - 48, 80);
            }

            acc += Mix16(input, 16, 32);
            acc += Mix16(input, length - 32, 48);
        }

        acc += Mix16(input, 0, 0);
        acc += Mix16(input, length - 16, 16);
        return Avalanche(acc);
    }

    private static ulong HashUpTo240(ReadOnlySpan<byte> input)
    {
        var length = input.Length;
        var rounds = length / 16;
        var acc = (ulong)length * Prime64_1;
        for (var i = 0; i < 8; i++)
        {
            acc += Mix16(input, 16 * i, 16 * i);
        }

        // The first eight lanes are avalanched on their own; the rest reuse the secret from byte 3.
        acc = Avalanche(acc);
        for (var i = 8; i < rounds; i++)
        {
            acc += Mix16(input, 16 * i, (16 * (i - 8)) + MidSizeStartOffset);
        }

        acc += Mix16(input, length - 16, SecretSizeMin - MidSizeLastOffset);
        return Avalanche(acc);
    }

    private static ulong HashLong(ReadOnlySpan<byte> input)
    {
        Span<ulong> acc = [Prime32_3, Prime64_1, Prime64_2, Prime64_3, Prime64_4, Prime32_2, Prime64_5, Prime32_1];
        var secret = Secret;
        var stripesPerBlock = (secret.Length - StripeLength) / SecretConsumeRate;
        var blockLength = StripeLength * stripesPerBlock;
        var length = input.Length;

        // Full blocks, each followed by a scramble. "length - 1": a block that ends the input exactly
        // is handled as the last (partial) block, so the last stripe below always has data to take.
        var blocks = (length - 1) / blockLength;
        for (var block = 0; block < blocks; block++)
        {
            AccumulateStripes(acc, input.Slice(block * blockLength, blockLength), stripesPerBlock);
            Scramble(acc, secret[^StripeLength..]);
        }

        var tail = input[(blocks * blockLength)..];
        AccumulateStripes(acc, tail, (tail.Length - 1) / StripeLength);

        // The last stripe ends where the input ends; it may overlap the stripe before it.
        Accumulate512(acc, input[^StripeLength..], secret[(secret.Length - StripeLength - SecretLastStripeStart)..]);
        return MergeAccumulators(acc, secret[SecretMergeStart..], (ulong)length * Prime64_1);
    }

    private static void AccumulateStripes(Span<ulong> acc, ReadOnlySpan<byte> input, int stripes)
    {
        var secret = Secret;
        for (var n = 0; n < stripes; n++)
        {
            Accumulate512(acc, input.Slice(n * StripeLength, StripeLength), secret[(n * SecretConsumeRate)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> secret)
    {
        for (var i = 0; i < 8; i++)
        {
            var data = Read64(stripe, 8 * i);
            var keyed = data ^ Read64(secret, 8 * i);

            // Each lane also takes its neighbour's raw data, so no input bit is lost by the 32x32 multiply.
            acc[i ^ 1] += data;
            acc[i] += (keyed & 0xFFFFFFFFUL) * (keyed >> 32);
        }
    }

    private static void Scramble(Span<ulong> acc, ReadOnlySpan<byte> secret)
    {
        for (var i = 0; i < 8; i++)
        {
            var value = acc[i];
            value ^= value >> 47;
            value ^= Read64(secret, 8 * i);
            acc[i] = value * Prime32_1;
        }
    }

    private static ulong MergeAccumulators(ReadOnlySpan<ulong> acc, ReadOnlySpan<byte> secret, ulong start)
    {
        var result = start;
        for (var i = 0; i < 4; i++)
        {
            result += MultiplyFold(acc[2 * i] ^ Read64(secret, 16 * i), acc[(2 * i) + 1] ^ Read64(secret, (16 * i) + 8));
        }

        return Avalanche(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix16(ReadOnlySpan<byte> input, int inputOffset, int secretOffset) =>
        MultiplyFold(
            Read64(input, inputOffset) ^ Read64(Secret, secretOffset),
            Read64(input, inputOffset + 8) ^ Read64(Secret, secretOffset + 8));

    /// <summary>The 128-bit product of two 64-bit values, its halves xored together.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyFold(ulong left, ulong right)
    {
        var high = Math.BigMul(left, right, out var low);
        return low ^ high;
    }

    private static ulong Avalanche(ulong hash)
    {
        hash ^= hash >> 37;
        hash *= PrimeMx1;
        return hash ^ (hash >> 32);
    }

    /// <summary>XXH64's final mix, which XXH3 uses for inputs of 0-3 bytes.</summary>
    private static ulong XxhAvalanche(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= Prime64_2;
        hash ^= hash >> 29;
        hash *= Prime64_3;
        return hash ^ (hash >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
}

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// FUNCTION DUMP's payload as Redis 7.0 writes it: per library the RDB opcode FUNCTION2 (245) and
/// the library's code as an RDB string, then the RDB version (10, two bytes, little-endian) and
/// the CRC-64 (Jones) of everything before it (eight bytes, little-endian). We write strings
/// uncompressed, which Redis reads; we read Redis's LZF-compressed ones too, so a dump moves
/// both ways between redis-server and this store.
/// </summary>
public static class FunctionDump
{
    private const byte Function2 = 245;
    private const ushort RdbVersion = 10;
    private static readonly ulong[] CrcTable = BuildCrcTable();

    public static byte[] Encode(IEnumerable<byte[]> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var payload = new List<byte>();
        foreach (var code in codes)
        {
            payload.Add(Function2);
            WriteLength(payload, code.Length);
            payload.AddRange(code);
        }

        payload.Add((byte)(RdbVersion & 0xFF));
        payload.Add((byte)(RdbVersion >> 8));
        var crc = Crc64(payload.ToArray());
        for (var i = 0; i < 8; i++)
        {
            payload.Add((byte)(crc >> (8 * i)));
        }

        return [.. payload];
    }

    /// <summary>The libraries' code in a payload, or Redis's error for a bad one.</summary>
    public static bool TryDecode(byte[] payload, out List<byte[]> codes, out string error)
    {
        ArgumentNullException.ThrowIfNull(payload);
        codes = [];
        error = "ERR DUMP payload version or checksum are wrong";
        if (payload.Length < 10)
        {
            return false;
        }

        var body = payload.AsSpan(0, payload.Length - 8);
        var version = body[^2] | (body[^1] << 8);
        var crc = BitConverter.ToUInt64(payload, payload.Length - 8);
        if (version > RdbVersion || crc != Crc64(body))
        {
            return false;
        }

        error = "ERR given payload is not a valid functions payload";
        var position = 0;
        var end = body.Length - 2;
        while (position < end)
        {
            if (payload[position++] != Function2 || !TryReadString(payload, ref position, end, out var code))
            {
                return false;
            }

            codes.Add(code);
        }

        return true;
    }

    /// <summary>Redis's crc64 (Jones polynomial, reflected, no final xor).</summary>
    public static ulong Crc64(ReadOnlySpan<byte> data)
    {
        ulong crc = 0;
        foreach (var b in data)
        {
            crc = CrcTable[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static ulong[] BuildCrcTable()
    {
        const ulong Polynomial = 0x95AC9329AC4BC9B5;
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }

    private static void WriteLength(List<byte> target, int length)
    {
        if (length < 64)
        {
            target.Add((byte)length);
        }
        else if (length < 16384)
        {
            target.Add((byte)(0x40 | (length >> 8)));
            target.Add((byte)length);
        }
        else
        {
            target.Add(0x80);
            target.Add((byte)(length >> 24));
            target.Add((byte)(length >> 16));
            target.Add((byte)(length >> 8));
            target.Add((byte)length);
        }
    }

    /// <summary>An RDB length; <paramref name="encoded"/> set for the special encodings (11xxxxxx), whose low bits it returns.</summary>
    private static bool TryReadLength(byte[] data, ref int position, int end, out long length, out bool encoded)
    {
        length = 0;
        encoded = false;
        if (position >= end)
        {
            return false;
        }

        var first = data[position++];
        switch (first >> 6)
        {
            case 0:
                length = first & 0x3F;
                return true;
            case 1:
                if (position >= end)
                {
                    return false;
                }

                length = ((first & 0x3F) << 8) | data[position++];
                return true;
            case 2 when first == 0x80 && position + 4 <= end:
                length = ((long)data[position] << 24) | ((long)data[position + 1] << 16) | ((long)data[position + 2] << 8) | data[position + 3];
                position += 4;
                return true;
            case 2 when first == 0x81 && position + 8 <= end:
                for (var i = 0; i < 8; i++)
                {
                    length = (length << 8) | data[position + i];
                }

                position += 8;
                return length >= 0;
            case 3:
                encoded = true;
                length = first & 0x3F;
                return true;
            default:
                return false;
        }
    }

    private static bool TryReadString(byte[] data, ref int position, int end, out byte[] value)
    {
        value = [];
        if (!TryReadLength(data, ref position, end, out var length, out var encoded))
        {
            return false;
        }

        if (!encoded)
        {
            if (length > end - position)
            {
                return false;
            }

            value = data.AsSpan(position, (int)length).ToArray();
            position += (int)length;
            return true;
        }

        // 3: LZF-compressed (integers encoded as strings never hold a library's code).
        if (length != 3
            || !TryReadLength(data, ref position, end, out var compressed, out var e1) || e1
            || !TryReadLength(data, ref position, end, out var original, out var e2) || e2
            || compressed > end - position || original > 512L * 1024 * 1024)
        {
            return false;
        }

        var output = new byte[original];
        if (!TryDecompressLzf(data.AsSpan(position, (int)compressed), output))
        {
            return false;
        }

        position += (int)compressed;
        value = output;
        return true;
    }

    /// <summary>liblzf's format: literal runs (control below 32) and back references; false unless it fills <paramref name="output"/> exactly.</summary>
    private static bool TryDecompressLzf(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int control = input[ip++];
            if (control < 32)
            {
                var run = control + 1;
                if (ip + run > input.Length || op + run > output.Length)
                {
                    return false;
                }

                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
                continue;
            }

            var length = control >> 5;
            var reference = op - ((control & 0x1F) << 8) - 1;
            if (length == 7)
            {
                if (ip >= input.Length)
                {
                    return false;
                }

                length += input[ip++];
            }

            if (ip >= input.Length)
            {
                return false;
            }

            reference -= input[ip++];
            length += 2;
            if (reference < 0 || op + length > output.Length)
            {
                return false;
            }

            for (var i = 0; i < length; i++)
            {
                output[op++] = output[reference++];
            }
        }

        return op == output.Length;
    }
}

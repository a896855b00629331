namespace Orleans.KeyValue.Resp;

/// <summary>
/// Redis Cluster's key slots: CRC16 (XMODEM) of the key, or of its hash tag (the part between
/// the first <c>{</c> and the next <c>}</c>, when not empty), modulo 16384. Slots are the unit
/// of placement and hand-over; a Redis Cluster client computes the same slot for a key.
/// </summary>
public static class KeySlot
{
    /// <summary>Number of slots.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The slot of <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                key = key.Slice(open + 1, close);
            }
        }

        return Crc16(key) & (Count - 1);
    }

    /// <summary>CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}

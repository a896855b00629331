namespace Orleans.KeyValue;

/// <summary>
/// How a hash is stored in a key's record: one byte array of its fields in insertion order, each
/// as a length-prefixed field and a length-prefixed value (lengths as unsigned LEB128), like
/// Redis's listpack. One array per hash keeps a small hash compact (a few bytes per field over
/// its data) and lets records, copies to backups and hand-overs treat every type alike; a read
/// scans the array without copying, a write builds a new one (the record is immutable).
/// </summary>
public static class HashEncoding
{
    /// <summary>An empty hash (a hash key never stays empty: its last HDEL removes the key).</summary>
    public static byte[] Empty { get; } = [];

    /// <summary>The number of fields.</summary>
    public static int Count(ReadOnlySpan<byte> hash)
    {
        var count = 0;
        var reader = new Reader(hash);
        while (reader.Next(out _, out _))
        {
            count++;
        }

        return count;
    }

    /// <summary>The value of <paramref name="field"/>, if present (a slice of <paramref name="hash"/>).</summary>
    public static bool TryGet(ReadOnlyMemory<byte> hash, ReadOnlySpan<byte> field, out ReadOnlyMemory<byte> value)
    {
        var reader = new Reader(hash.Span);
        while (reader.Next(out var f, out var v))
        {
            if (hash.Span.Slice(f.Start, f.Length).SequenceEqual(field))
            {
                value = hash.Slice(v.Start, v.Length);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Every field and value in order, as slices of <paramref name="hash"/>.</summary>
    public static List<(ReadOnlyMemory<byte> Field, ReadOnlyMemory<byte> Value)> Entries(ReadOnlyMemory<byte> hash)
    {
        var entries = new List<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>)>();
        var reader = new Reader(hash.Span);
        while (reader.Next(out var f, out var v))
        {
            entries.Add((hash.Slice(f.Start, f.Length), hash.Slice(v.Start, v.Length)));
        }

        return entries;
    }

    /// <summary>Encodes <paramref name="entries"/> in their order (fields must be distinct).</summary>
    public static byte[] Encode(IReadOnlyList<(ReadOnlyMemory<byte> Field, ReadOnlyMemory<byte> Value)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long size = 0;
        foreach (var (field, value) in entries)
        {
            size += LengthOfLength(field.Length) + field.Length + LengthOfLength(value.Length) + value.Length;
        }

        var result = new byte[size];
        var position = 0;
        foreach (var (field, value) in entries)
        {
            position = Write(result, position, field.Span);
            position = Write(result, position, value.Span);
        }

        return result;
    }

    private static int Write(byte[] target, int position, ReadOnlySpan<byte> bytes)
    {
        var length = (uint)bytes.Length;
        while (length >= 0x80)
        {
            target[position++] = (byte)(length | 0x80);
            length >>= 7;
        }

        target[position++] = (byte)length;
        bytes.CopyTo(target.AsSpan(position));
        return position + bytes.Length;
    }

    private static int LengthOfLength(int length)
    {
        var bytes = 1;
        for (var rest = (uint)length; rest >= 0x80; rest >>= 7)
        {
            bytes++;
        }

        return bytes;
    }

    /// <summary>Walks the entries of an encoded hash; a malformed tail ends the walk.</summary>
    private ref struct Reader(ReadOnlySpan<byte> hash)
    {
        private readonly ReadOnlySpan<byte> _hash = hash;
        private int _position;

        public bool Next(out (int Start, int Length) field, out (int Start, int Length) value)
        {
            value = default;
            return ReadOne(out field) && ReadOne(out value);
        }

        private bool ReadOne(out (int Start, int Length) slice)
        {
            slice = default;
            uint length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (_position >= _hash.Length || shift > 28)
                {
                    return false;
                }

                var b = _hash[_position++];
                length |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            if (length > (uint)(_hash.Length - _position))
            {
                return false;
            }

            slice = (_position, (int)length);
            _position += (int)length;
            return true;
        }
    }
}

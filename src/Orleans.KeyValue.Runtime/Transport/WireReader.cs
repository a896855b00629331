using System.Buffers.Binary;
using System.Text;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>Reads what <see cref="WireWriter"/> wrote; a short or malformed message throws <see cref="InvalidDataException"/>.</summary>
public sealed class WireReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    /// <summary>True when every byte was read.</summary>
    public bool AtEnd => _position == data.Length;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>A length-prefixed byte string, copied.</summary>
    public byte[] ReadBytes() => Take(ReadLength()).ToArray();

    /// <summary>A length-prefixed byte string, as a slice of the message (valid while the message is).</summary>
    public ReadOnlyMemory<byte> ReadBytesSlice()
    {
        var length = ReadLength();
        var slice = data.Slice(_position, length);
        _position += length;
        return slice;
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw new InvalidDataException("Negative string length in a silo message.");
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    private int ReadLength()
    {
        var length = ReadInt32();
        if (length < 0 || length > data.Length - _position)
        {
            throw new InvalidDataException("Bad length in a silo message.");
        }

        return length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - _position)
        {
            throw new InvalidDataException("A silo message ended early.");
        }

        var span = data.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}

using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Client;

/// <summary>Encodes a command as a RESP array of bulk strings.</summary>
internal static class CommandEncoder
{
    public static byte[] Encode(IReadOnlyList<object> arguments)
    {
        var parts = new byte[arguments.Count][];
        var length = 16;
        for (var i = 0; i < arguments.Count; i++)
        {
            parts[i] = ToBytes(arguments[i]);
            length += parts[i].Length + 16;
        }

        var buffer = new byte[length];
        var position = 0;
        Header((byte)'*', parts.Length);
        foreach (var part in parts)
        {
            Header((byte)'$', part.Length);
            part.CopyTo(buffer, position);
            position += part.Length;
            buffer[position++] = (byte)'\r';
            buffer[position++] = (byte)'\n';
        }

        return buffer.AsSpan(0, position).ToArray();

        void Header(byte prefix, int count)
        {
            buffer[position++] = prefix;
            count.TryFormat(buffer.AsSpan(position), out var written, default, CultureInfo.InvariantCulture);
            position += written;
            buffer[position++] = (byte)'\r';
            buffer[position++] = (byte)'\n';
        }
    }

    public static byte[] ToBytes(object argument) => argument switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        Memory<byte> memory => memory.ToArray(),
        string text => Encoding.UTF8.GetBytes(text),
        long number => Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture)),
        int number => Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture)),
        double number => Encoding.ASCII.GetBytes(number.ToString("R", CultureInfo.InvariantCulture)),
        null => throw new ArgumentNullException(nameof(argument), "A command argument is null."),
        _ => Encoding.UTF8.GetBytes(Convert.ToString(argument, CultureInfo.InvariantCulture) ?? string.Empty),
    };
}

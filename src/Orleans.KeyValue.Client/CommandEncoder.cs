using System.Buffers;
using System.Globalization;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

/// <summary>Encodes a command as a RESP array of bulk strings (with the protocol library's writer).</summary>
internal static class CommandEncoder
{
    public static byte[] Encode(IReadOnlyList<object> arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        RespWriter.WriteArrayHeader(buffer, arguments.Count);
        foreach (var argument in arguments)
        {
            switch (argument)
            {
                case string text:
                    RespWriter.WriteBulk(buffer, text);
                    break;
                case byte[] bytes:
                    RespWriter.WriteBulk(buffer, bytes);
                    break;
                case ReadOnlyMemory<byte> memory:
                    RespWriter.WriteBulk(buffer, memory.Span);
                    break;
                case Memory<byte> memory:
                    RespWriter.WriteBulk(buffer, memory.Span);
                    break;
                default:
                    RespWriter.WriteBulk(buffer, ToText(argument));
                    break;
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string ToText(object? argument) => argument switch
    {
        long number => number.ToString(CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        null => throw new ArgumentNullException(nameof(argument), "A command argument is null."),
        _ => Convert.ToString(argument, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

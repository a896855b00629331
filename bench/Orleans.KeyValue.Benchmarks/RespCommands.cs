using System.Buffers;
using System.Text;

namespace Orleans.KeyValue.Benchmarks;

/// <summary>The commands the benchmarks send, shaped as redis-benchmark's: 16-byte keys, 100-byte values.</summary>
internal static class RespCommands
{
    public const int ValueSize = 100;

    public static byte[] Key { get; } = "key:000000123456"u8.ToArray();

    public static byte[] Value { get; } = Enumerable.Repeat((byte)'x', ValueSize).ToArray();

    public static ReadOnlySequence<byte> Set { get; } = Encode("SET"u8, Key, Value);

    public static ReadOnlySequence<byte> Get { get; } = Encode("GET"u8, Key);

    private static ReadOnlySequence<byte> Encode(params ReadOnlySpan<byte[]> arguments)
    {
        var text = new StringBuilder();
        text.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            text.Append('$').Append(argument.Length).Append("\r\n").Append(Encoding.ASCII.GetString(argument)).Append("\r\n");
        }

        return new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private static ReadOnlySequence<byte> Encode(ReadOnlySpan<byte> name, params ReadOnlySpan<byte[]> arguments) =>
        Encode([name.ToArray(), .. arguments]);
}

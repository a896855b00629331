using System.Text;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>How handlers read arguments: names match as bytes, ignoring ASCII case, as Redis's strcasecmp.</summary>
internal static class Arguments
{
    public static bool Is(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> word) => Ascii.EqualsIgnoreCase(argument, word);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}

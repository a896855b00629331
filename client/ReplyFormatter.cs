using System.Globalization;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Cli;

/// <summary>Replies for people, in redis-cli's style.</summary>
internal static class ReplyFormatter
{
    public static string Format(RespFrame frame, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(frame);
        switch (frame.Type)
        {
            case RespFrameType.Null:
                return "(nil)";
            case RespFrameType.Integer:
                return "(integer) " + frame.Integer.ToString(CultureInfo.InvariantCulture);
            case RespFrameType.Boolean:
                return frame.Boolean ? "(true)" : "(false)";
            case RespFrameType.Error or RespFrameType.BlobError:
                return "(error) " + frame.Text;
            case RespFrameType.SimpleString:
                return frame.Text;
            case RespFrameType.VerbatimString:
                return frame.Text.Length > 4 && frame.Text[3] == ':' ? frame.Text[4..] : frame.Text;
            case RespFrameType.Double or RespFrameType.BigNumber:
                return "(double) " + frame.Text;
            case RespFrameType.BulkString:
                return Quote(frame.Bytes ?? []);
            default:
                var items = frame.Items ?? [];
                if (items.Count == 0)
                {
                    return frame.Type == RespFrameType.Map ? "(empty hash)" : "(empty array)";
                }

                var text = new StringBuilder();
                var step = frame.Type == RespFrameType.Map ? 2 : 1;
                var width = (items.Count / step).ToString(CultureInfo.InvariantCulture).Length;
                for (var i = 0; i < items.Count; i += step)
                {
                    var number = ((i / step) + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width) + ") ";
                    if (i > 0)
                    {
                        text.Append('\n').Append(indent);
                    }

                    var inner = indent + new string(' ', number.Length);
                    text.Append(number).Append(step == 2 ? Format(items[i], inner) + " => " + Format(items[i + 1], inner) : Format(items[i], inner));
                }

                return text.ToString();
        }
    }

    private static string Quote(byte[] bytes)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"':
                    text.Append("\\\"");
                    break;
                case (byte)'\\':
                    text.Append("\\\\");
                    break;
                case (byte)'\n':
                    text.Append("\\n");
                    break;
                case (byte)'\r':
                    text.Append("\\r");
                    break;
                case (byte)'\t':
                    text.Append("\\t");
                    break;
                case >= 0x20 and < 0x7F:
                    text.Append((char)b);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    break;
            }
        }

        return text.Append('"').ToString();
    }
}

using System.Buffers;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// Splits an inline command into arguments with Redis's rules (<c>sdssplitargs</c>): spaces
/// separate, "double quotes" take \n \r \t \b \a \xHH and \c escapes, 'single quotes' take \'
/// only, and a closing quote must be followed by a space or the end of the line.
/// </summary>
public static class InlineSplitter
{
    /// <summary>Splits <paramref name="line"/> into <paramref name="request"/>; false on unbalanced quotes. <paramref name="scratch"/> is reused between calls.</summary>
    public static bool TrySplit(ReadOnlySpan<byte> line, RespRequest request, ArrayBufferWriter<byte> scratch)
    {
        var p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }

            if (p >= line.Length)
            {
                return true;
            }

            scratch.ResetWrittenCount();
            var inDouble = false;
            var inSingle = false;
            var done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    var c = line[p];
                    if (c == (byte)'\\' && p + 3 < line.Length && line[p + 1] == (byte)'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        Append(scratch, (byte)((HexValue(line[p + 2]) << 4) | HexValue(line[p + 3])));
                        p += 3;
                    }
                    else if (c == (byte)'\\' && p + 1 < line.Length)
                    {
                        p++;
                        Append(scratch, line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == (byte)'"')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        Append(scratch, c);
                    }
                }
                else if (inSingle)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    var c = line[p];
                    if (c == (byte)'\\' && p + 1 < line.Length && line[p + 1] == (byte)'\'')
                    {
                        p++;
                        Append(scratch, (byte)'\'');
                    }
                    else if (c == (byte)'\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        Append(scratch, c);
                    }
                }
                else if (p >= line.Length)
                {
                    done = true;
                }
                else
                {
                    switch (line[p])
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            Append(scratch, line[p]);
                            break;
                    }
                }

                if (p < line.Length)
                {
                    p++;
                }
            }

            request.Add(scratch.WrittenSpan);
        }
    }

    private static void Append(ArrayBufferWriter<byte> scratch, byte value)
    {
        scratch.GetSpan(1)[0] = value;
        scratch.Advance(1);
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}

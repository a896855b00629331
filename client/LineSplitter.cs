using System.Text;

namespace Orleans.KeyValue.Cli;

/// <summary>Splits an interactive line into arguments as redis-cli does: spaces separate, quotes group, backslash escapes in double quotes.</summary>
internal static class LineSplitter
{
    public static bool TrySplit(string line, out List<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(line);
        arguments = [];
        var current = new StringBuilder();
        var inToken = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    arguments.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }

                continue;
            }

            inToken = true;
            if (c is '"' or '\'')
            {
                var quote = c;
                var closed = false;
                for (i++; i < line.Length; i++)
                {
                    if (line[i] == quote)
                    {
                        closed = true;
                        break;
                    }

                    if (quote == '"' && line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        current.Append(line[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var other => other });
                        continue;
                    }

                    current.Append(line[i]);
                }

                if (!closed)
                {
                    return false;
                }

                continue;
            }

            current.Append(c);
        }

        if (inToken)
        {
            arguments.Add(current.ToString());
        }

        return true;
    }
}

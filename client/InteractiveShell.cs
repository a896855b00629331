using System.Buffers;
using System.Text;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Cli;

/// <summary>
/// The interactive mode: a prompt, redis-cli's quoting, replies for people, and a history
/// (up/down arrows on a terminal; kept in <c>~/.kv_history</c>). Reads plain lines when input
/// is not a terminal, so <c>kv &lt; commands.txt</c> works too.
/// </summary>
internal static class InteractiveShell
{
    private const int HistoryLimit = 1000;

    public static async Task<int> RunAsync(KeyValueClient client, TextWriter output, CancellationToken cancellationToken)
    {
        var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var historyFile = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kv_history");
        var history = interactive && File.Exists(historyFile) ? File.ReadAllLines(historyFile).TakeLast(HistoryLimit).ToList() : [];
        var prompt = (client.CurrentEndpoint ?? "kv") + "> ";
        var status = ExitCodes.Ok;
        using var request = new RespRequest();
        var scratch = new ArrayBufferWriter<byte>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var line = interactive ? ReadLineWithHistory(prompt, history) : await Console.In.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                break;
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (interactive)
            {
                history.Add(line);
                await File.AppendAllLinesAsync(historyFile, [line], cancellationToken);
            }

            if (line is "quit" or "exit")
            {
                break;
            }

            // redis-cli's quoting, by the same splitter the gateway uses for inline commands.
            request.Reset();
            if (!InlineSplitter.TrySplit(Encoding.UTF8.GetBytes(line), request, scratch) || request.Count == 0)
            {
                await output.WriteLineAsync("Invalid argument(s): unbalanced quotes");
                continue;
            }

            var arguments = new object[request.Count - 1];
            for (var i = 1; i < request.Count; i++)
            {
                arguments[i - 1] = request.ToArray(i);
            }

            try
            {
                var reply = await client.ExecuteAsync(Encoding.UTF8.GetString(request[0]), arguments, null, cancellationToken);
                await output.WriteLineAsync(ReplyFormatter.Format(reply));
            }
            catch (KeyValueConnectionException exception)
            {
                await output.WriteLineAsync("(error) connection: " + exception.Message);
                status = ExitCodes.ConnectionError;
            }
            catch (KeyValueException exception)
            {
                await output.WriteLineAsync("(error) " + exception.Message);
            }
            catch (TimeoutException exception)
            {
                await output.WriteLineAsync("(error) " + exception.Message);
            }
        }

        return status;
    }

    /// <summary>A minimal line editor: left/right, backspace, delete, home/end, up/down through history.</summary>
    private static string? ReadLineWithHistory(string prompt, List<string> history)
    {
        Console.Write(prompt);
        var line = new StringBuilder();
        var cursor = 0;
        var position = history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return line.ToString();
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.WriteLine();
                    return null;
                case ConsoleKey.Backspace when cursor > 0:
                    line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < line.Length:
                    line.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < line.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = line.Length;
                    break;
                case ConsoleKey.UpArrow when position > 0:
                    line.Clear().Append(history[--position]);
                    cursor = line.Length;
                    break;
                case ConsoleKey.DownArrow when position < history.Count:
                    position++;
                    line.Clear().Append(position < history.Count ? history[position] : string.Empty);
                    cursor = line.Length;
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            // Redraw the line and put the cursor back where it belongs.
            Console.Write("\r" + prompt + line + "\u001b[K");
            var back = line.Length - cursor;
            if (back > 0)
            {
                Console.Write($"\u001b[{back}D");
            }
        }
    }
}

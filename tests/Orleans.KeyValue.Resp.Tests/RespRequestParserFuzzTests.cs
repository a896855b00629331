using System.Buffers;
using System.Text;

namespace Orleans.KeyValue.Resp.Tests;

/// <summary>
/// The request parser against random and mutated input (a bounded fuzz run in the normal test
/// run): no exception ever escapes it, every error it reports is one of Redis's
/// <c>Protocol error</c> texts without a line break, it never reports progress past its input,
/// and, fed the same bytes whole or in random pieces, it comes to the same end.
/// </summary>
public sealed class RespRequestParserFuzzTests
{
    private const int Inputs = 20_000;

    private static readonly byte[][] Seeds =
    [
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"u8.ToArray(),
        "*1\r\n$4\r\nPING\r\n"u8.ToArray(),
        "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"u8.ToArray(),
        "PING\r\n"u8.ToArray(),
        "set \"a b\" 'c\\'d' \"\\x41\\n\"\r\n"u8.ToArray(),
        "*0\r\n*-1\r\n"u8.ToArray(),
        "*1\r\n\r\n"u8.ToArray(),
    ];

    [Fact]
    public void RandomAndMutatedInput_NeverThrows_AndFailsOnlyWithProtocolErrors()
    {
        var random = new Random(20261202);
        var limits = new RespLimits { MaxInlineLength = 256, MaxBulkLength = 4096, MaxArguments = 64 };
        for (var i = 0; i < Inputs; i++)
        {
            var input = i % 4 == 0 ? RandomBytes(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
            var whole = Run(limits, [input], input);
            var pieces = Run(limits, Split(random, input), input);
            Assert.True(whole == pieces, $"input {Convert.ToHexString(input)}: whole {whole}, in pieces {pieces}");
        }
    }

    /// <summary>Parses <paramref name="chunks"/> as a connection would; returns commands parsed and how it ended.</summary>
    private static (int Commands, RespParseStatus Status, string? Error) Run(RespLimits limits, List<byte[]> chunks, byte[] input)
    {
        var parser = new RespRequestParser(limits);
        using var request = new RespRequest();
        var leftover = Array.Empty<byte>();
        var commands = 0;
        var status = RespParseStatus.NeedMoreData;
        foreach (var chunk in chunks)
        {
            var sequence = new ReadOnlySequence<byte>([.. leftover, .. chunk]);
            var reader = new SequenceReader<byte>(sequence);
            try
            {
                while ((status = parser.Parse(ref reader, request)) == RespParseStatus.Complete)
                {
                    commands++;
                }
            }
            catch (Exception exception)
            {
                Assert.Fail($"input {Convert.ToHexString(input)} threw {exception}");
            }

            Assert.InRange(reader.Consumed, 0, sequence.Length);
            if (status == RespParseStatus.Error)
            {
                Assert.NotNull(parser.Error);
                Assert.StartsWith("Protocol error: ", parser.Error, StringComparison.Ordinal);
                Assert.DoesNotContain('\r', parser.Error);
                Assert.DoesNotContain('\n', parser.Error);
                return (commands, status, parser.Error);
            }

            leftover = reader.UnreadSequence.ToArray();
        }

        return (commands, status, null);
    }

    private static byte[] RandomBytes(Random random)
    {
        // Mostly protocol characters, so that random input gets past the first byte often.
        const string alphabet = "*$\r\n0123456789-+: abcPINGSET\"'\\";
        var bytes = new byte[random.Next(0, 64)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)alphabet[random.Next(alphabet.Length)];
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        for (var edits = random.Next(1, 4); edits > 0; edits--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(5))
            {
                case 0 when at < bytes.Count:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)"\r\n*$0-"[random.Next(6)]);
                    break;
                case 3:
                    // A huge or negative count where a number was.
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(random.Next(3) switch { 0 => "99999999999", 1 => "-7", _ => "2147483648" }));
                    break;
                default:
                    bytes.AddRange(seed);
                    break;
            }
        }

        return [.. bytes];
    }

    private static List<byte[]> Split(Random random, byte[] input)
    {
        var chunks = new List<byte[]>();
        var at = 0;
        while (at < input.Length)
        {
            var length = random.Next(1, Math.Max(2, input.Length - at + 1));
            chunks.Add(input[at..Math.Min(input.Length, at + length)]);
            at += length;
        }

        return chunks.Count == 0 ? [[]] : chunks;
    }
}

using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orleans.KeyValue.Resp.Tests;

public sealed class RespRequestParserTests
{
    private const string SetCommand = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";

    // One command per message; arguments are Latin-1 so every byte value round-trips through a string.
    public static TheoryData<string, string[]> SingleCommands => new()
    {
        { SetCommand, ["SET", "key", "value"] },
        { "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", ["ECHO", ""] },
        { "*2\r\n$3\r\nGET\r\n$6\r\na\r\nb\r\n\r\n", ["GET", "a\r\nb\r\n"] },
        { "*1\r\n$4\r\nPING\r\n", ["PING"] },
        { "PING\r\n", ["PING"] },
        { "PING\n", ["PING"] },
        { "set \"a b\" 'c\\'d' \"\\x41\\n\"\r\n", ["set", "a b", "c'd", "A\n"] },
    };

    private static Encoding Latin1 => Encoding.Latin1;

    [Theory]
    [MemberData(nameof(SingleCommands))]
    public void Parse_EveryPrefix_NeedsMoreDataWithoutError(string message, string[] expected)
    {
        var bytes = Latin1.GetBytes(message);
        for (var length = 0; length < bytes.Length; length++)
        {
            var outcome = ParseAll(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(
                outcome.Status == RespParseStatus.NeedMoreData && outcome.Error is null && outcome.Commands.Count == 0,
                $"prefix of {length} bytes: {outcome}");
        }

        var whole = ParseAll(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(RespParseStatus.NeedMoreData, whole.Status);
        Assert.Equal(bytes.Length, whole.Consumed);
        Assert.Equal(expected, Assert.Single(whole.Commands));
    }

    [Theory]
    [MemberData(nameof(SingleCommands))]
    public void Parse_WholeMessage_Completes(string message, string[] expected)
    {
        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Latin1.GetBytes(message)));

        Assert.Equal(RespParseStatus.Complete, parser.Parse(ref reader, request));
        Assert.Equal(expected, Args(request));
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [MemberData(nameof(SingleCommands))]
    public void Parse_ResumedAfterEveryPrefix_GivesTheSameCommand(string message, string[] expected)
    {
        var bytes = Latin1.GetBytes(message);
        foreach (var cut in TestSegment.TwoWayCuts(bytes.Length))
        {
            var outcome = Feed([bytes[..cut[0]], bytes[cut[0]..]]);
            Assert.True(outcome.Commands.Count == 1 && outcome.Error is null, $"cut at {cut[0]}: {outcome}");
            Assert.Equal(expected, outcome.Commands[0]);
        }
    }

    [Fact]
    public void Parse_PipelineSplitIntoTwoSegments_GivesTheSameCommands()
    {
        var bytes = Latin1.GetBytes(Pipeline);
        foreach (var cuts in TestSegment.TwoWayCuts(bytes.Length))
        {
            var outcome = ParseAll(TestSegment.Split(bytes, cuts));
            Assert.True(outcome.Error is null && outcome.Consumed == bytes.Length, $"cut at {cuts[0]}: {outcome}");
            Assert.Equal(PipelineCommands, outcome.Commands);
        }
    }

    [Fact]
    public void Parse_PipelineSplitIntoThreeSegments_GivesTheSameCommands()
    {
        var bytes = Latin1.GetBytes(Pipeline);
        foreach (var cuts in TestSegment.ThreeWayCuts(bytes.Length))
        {
            var outcome = ParseAll(TestSegment.Split(bytes, cuts));
            Assert.True(outcome.Error is null && outcome.Consumed == bytes.Length, $"cuts at {cuts[0]}, {cuts[1]}: {outcome}");
            Assert.Equal(PipelineCommands, outcome.Commands);
        }
    }

    [Fact]
    public void Parse_PipelineFedInThreeChunks_GivesTheSameCommands()
    {
        var bytes = Latin1.GetBytes(Pipeline);
        foreach (var cuts in TestSegment.ThreeWayCuts(bytes.Length))
        {
            var outcome = Feed([bytes[..cuts[0]], bytes[cuts[0]..cuts[1]], bytes[cuts[1]..]]);
            Assert.True(outcome.Error is null, $"cuts at {cuts[0]}, {cuts[1]}: {outcome}");
            Assert.Equal(PipelineCommands, outcome.Commands);
        }
    }

    [Fact]
    public void Parse_PipelineFedByteByByte_GivesTheSameCommands()
    {
        var bytes = Latin1.GetBytes(Pipeline);
        var outcome = Feed(bytes.Select(b => new[] { b }));
        Assert.Null(outcome.Error);
        Assert.Equal(PipelineCommands, outcome.Commands);
    }

    [Fact]
    public void Parse_PipelinedCommands_ReturnsEachInOrder()
    {
        var outcome = ParseAll(Pipeline);
        Assert.Equal(RespParseStatus.NeedMoreData, outcome.Status);
        Assert.Equal(PipelineCommands, outcome.Commands);
        Assert.Equal(Latin1.GetByteCount(Pipeline), outcome.Consumed);
    }

    [Fact]
    public void Parse_InlineCommand_IsMarkedInline()
    {
        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("GET k\r\n*1\r\n$4\r\nPING\r\n"u8.ToArray()));

        Assert.Equal(RespParseStatus.Complete, parser.Parse(ref reader, request));
        Assert.True(request.IsInline);
        Assert.Equal(RespParseStatus.Complete, parser.Parse(ref reader, request));
        Assert.False(request.IsInline);
    }

    [Fact]
    public void Parse_BinaryArgument_KeepsEveryByte()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n\r\n*1\r\n$"u8.ToArray()).ToArray();
        var outcome = ParseAll(Encode(["SET", "k"], value));

        var command = Assert.Single(outcome.Commands);
        Assert.Equal(Latin1.GetString(value), command[2]);
    }

    [Fact]
    public void Parse_EmptyBulk_GivesEmptyArgument()
    {
        var outcome = ParseAll("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n");
        Assert.Equal(["SET", "", ""], Assert.Single(outcome.Commands));
    }

    [Fact]
    public void Parse_EmptyAndNilMultibulk_AreSkipped()
    {
        const string Message = "*0\r\n*-1\r\n*-7\r\n*1\r\n$4\r\nPING\r\n*0\r\n";
        var outcome = ParseAll(Message);
        Assert.Equal(["PING"], Assert.Single(outcome.Commands));
        Assert.Equal(RespParseStatus.NeedMoreData, outcome.Status);
        Assert.Equal(Message.Length, outcome.Consumed);
    }

    [Fact]
    public void Parse_EmptyInlineLines_AreSkipped()
    {
        var outcome = ParseAll("\r\n\n   \r\n\t\r\nPING\r\n\r\n");
        Assert.Equal(["PING"], Assert.Single(outcome.Commands));
        Assert.Null(outcome.Error);
    }

    [Fact]
    public void Parse_BytesAfterBulkData_AreDroppedUnseenAsRedisDoes()
    {
        // Redis skips the two bytes after the data without checking that they are "\r\n".
        var outcome = ParseAll("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n");
        Assert.Equal([["PING"], ["PING"]], outcome.Commands);
    }

    [Fact]
    public void Parse_ByteAfterCountLineCarriageReturn_IsDroppedUnseenAsRedisDoes()
    {
        var outcome = ParseAll("*1\r\n$4\rxPING\r\n");
        Assert.Equal(["PING"], Assert.Single(outcome.Commands));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "*abc\r\n", "Protocol error: invalid multibulk length" },
        { "*\r\n", "Protocol error: invalid multibulk length" },
        { "*+1\r\n", "Protocol error: invalid multibulk length" },
        { "*01\r\n", "Protocol error: invalid multibulk length" },
        { "*-0\r\n", "Protocol error: invalid multibulk length" },
        { "*1 \r\n", "Protocol error: invalid multibulk length" },
        { "*1\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length" },
        { "*2147483648\r\n", "Protocol error: invalid multibulk length" },
        { "*9223372036854775808\r\n", "Protocol error: invalid multibulk length" },
        { "*2\r\n:1\r\n", "Protocol error: expected '$', got ':'" },
        { "*1\r\nPING\r\n", "Protocol error: expected '$', got 'P'" },
        { "*2\r\n$4\r\nECHO\r\n*1\r\n", "Protocol error: expected '$', got '*'" },
        { "*1\r\n\r\n", "Protocol error: expected '$', got ' '" },
        { "*1\r\n\n\r\n", "Protocol error: expected '$', got ' '" },
        { "*1\r\n$-5\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$-1\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$abc\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$04\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$ 4\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$536870913\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$9223372036854775807\r\n", "Protocol error: invalid bulk length" },
        { "echo \"abc\r\n", "Protocol error: unbalanced quotes in request" },
        { "echo 'abc\r\n", "Protocol error: unbalanced quotes in request" },
        { "echo \"a\"b\r\n", "Protocol error: unbalanced quotes in request" },
        { "echo 'a'b\r\n", "Protocol error: unbalanced quotes in request" },
        { "echo \"abc\\\"\r\n", "Protocol error: unbalanced quotes in request" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_MalformedRequest_FailsWithRedisText(string message, string error)
    {
        var outcome = ParseAll(message);
        Assert.Equal(RespParseStatus.Error, outcome.Status);
        Assert.Equal(error, outcome.Error);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_MalformedRequestSplitAcrossSegments_FailsWithTheSameText(string message, string error)
    {
        var bytes = Latin1.GetBytes(message);
        foreach (var cuts in TestSegment.ThreeWayCuts(bytes.Length))
        {
            var outcome = ParseAll(TestSegment.Split(bytes, cuts));
            Assert.True(outcome.Status == RespParseStatus.Error && outcome.Error == error, $"cuts at {cuts[0]}, {cuts[1]}: {outcome}");
        }
    }

    [Fact]
    public void Parse_BulkOverConfiguredLimit_FailsWithInvalidBulkLength()
    {
        var limits = new RespLimits { MaxBulkLength = 10 };
        Assert.Equal("Protocol error: invalid bulk length", ParseAll("*1\r\n$11\r\n", limits).Error);
        Assert.Equal(["0123456789"], Assert.Single(ParseAll("*1\r\n$10\r\n0123456789\r\n", limits).Commands));
    }

    [Fact]
    public void Parse_CountLineLongerThanInlineLimitWithoutCarriageReturn_FailsWithTooBigMbulkCountString()
    {
        var limit = new RespLimits().MaxInlineLength;
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*" + new string('1', limit - 1)).Status);

        var outcome = ParseAll("*" + new string('1', limit));
        Assert.Equal(RespParseStatus.Error, outcome.Status);
        Assert.Equal("Protocol error: too big mbulk count string", outcome.Error);
    }

    [Fact]
    public void Parse_LongCountLineEndingInCarriageReturn_WaitsForItsEndAsRedisDoes()
    {
        // Redis only calls a count line "too big" when no '\r' has arrived at all.
        var line = "*" + new string('1', new RespLimits().MaxInlineLength + 10) + "\r";
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll(line).Status);
        Assert.Equal("Protocol error: invalid multibulk length", ParseAll(line + "\n").Error);
    }

    [Fact]
    public void Parse_BulkCountLineLongerThanInlineLimitWithoutCarriageReturn_FailsWithTooBigBulkCountString()
    {
        var limits = new RespLimits { MaxInlineLength = 16 };
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*1\r\n$" + new string('1', 15), limits).Status);
        Assert.Equal("Protocol error: too big bulk count string", ParseAll("*1\r\n$" + new string('1', 16), limits).Error);
    }

    [Fact]
    public void Parse_WrongBulkMarker_IsJudgedOnceItsLineIsThereAsRedisDoes()
    {
        var limits = new RespLimits { MaxInlineLength = 16 };
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*2\r\n:1", limits).Status);
        Assert.Equal("Protocol error: too big bulk count string", ParseAll("*1\r\n:" + new string('x', 16), limits).Error);
    }

    [Fact]
    public void Parse_InlineLongerThanLimitWithoutNewline_FailsWithTooBigInlineRequest()
    {
        var limit = new RespLimits().MaxInlineLength;
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll(new string('x', limit)).Status);

        var outcome = ParseAll(new string('x', limit + 1));
        Assert.Equal(RespParseStatus.Error, outcome.Status);
        Assert.Equal("Protocol error: too big inline request", outcome.Error);
    }

    [Fact]
    public void Parse_WholeInlineLineLongerThanLimit_FailsWithTooBigInlineRequest()
    {
        var limits = new RespLimits { MaxInlineLength = 16 };
        Assert.Equal(["echo", "0123456789"], Assert.Single(ParseAll("echo 0123456789\r\n", limits).Commands));
        Assert.Equal("Protocol error: too big inline request", ParseAll("echo 0123456789ab\r\n", limits).Error);
    }

    [Fact]
    public void Parse_UnauthenticatedMultibulkOverTen_FailsWithUnauthenticatedMultibulkLength()
    {
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*10\r\n", authenticated: false).Status);
        Assert.Equal("Protocol error: unauthenticated multibulk length", ParseAll("*11\r\n", authenticated: false).Error);
    }

    [Fact]
    public void Parse_UnauthenticatedMultibulkOverMaxArguments_ReportsTheUnauthenticatedLimitFirst()
    {
        // Redis checks the unauthenticated cap right after the count parses; MaxArguments is ours.
        var outcome = ParseAll("*2000000\r\n", authenticated: false);
        Assert.Equal("Protocol error: unauthenticated multibulk length", outcome.Error);
    }

    [Fact]
    public void Parse_AuthenticatedMultibulkOverTen_IsAccepted()
    {
        var outcome = ParseAll(Encode([.. Enumerable.Range(0, 11).Select(i => $"a{i}")]), authenticated: true);
        Assert.Equal(11, Assert.Single(outcome.Commands).Length);
    }

    [Fact]
    public void Parse_UnauthenticatedBulkOver16384_FailsWithUnauthenticatedBulkLength()
    {
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*1\r\n$16384\r\n", authenticated: false).Status);
        Assert.Equal("Protocol error: unauthenticated bulk length", ParseAll("*1\r\n$16385\r\n", authenticated: false).Error);
        Assert.Equal(RespParseStatus.NeedMoreData, ParseAll("*1\r\n$16385\r\n", authenticated: true).Status);
    }

    [Fact]
    public void Parse_InvalidBulkLengthWhileUnauthenticated_FailsWithInvalidBulkLength()
    {
        Assert.Equal("Protocol error: invalid bulk length", ParseAll("*1\r\n$536870913\r\n", authenticated: false).Error);
    }

    [Fact]
    public void Parse_MoreArgumentsThanMaxArguments_FailsWithInvalidMultibulkLength()
    {
        var limits = new RespLimits { MaxArguments = 3 };
        Assert.Equal(3, Assert.Single(ParseAll(Encode(["a", "b", "c"]), limits).Commands).Length);
        Assert.Equal("Protocol error: invalid multibulk length", ParseAll("*4\r\n", limits).Error);
    }

    [Fact]
    public void Parse_LargeBulkFedInSmallChunks_ConsumesInputAsItGoes()
    {
        const int ChunkSize = 4096;
        var value = new byte[3 * 1024 * 1024];
        new Random(42).NextBytes(value);
        var message = Encode(["SET", "big"], value);

        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var leftover = Array.Empty<byte>();
        var completed = 0;
        var largestLeftover = 0;
        for (var offset = 0; offset < message.Length; offset += ChunkSize)
        {
            var chunk = message.AsMemory(offset, Math.Min(ChunkSize, message.Length - offset));
            var reader = new SequenceReader<byte>(TestSegment.Create(leftover, chunk));
            RespParseStatus status;
            while ((status = parser.Parse(ref reader, request)) == RespParseStatus.Complete)
            {
                completed++;
                Assert.Equal(value, request.ToArray(2));
            }

            Assert.Equal(RespParseStatus.NeedMoreData, status);
            leftover = reader.UnreadSequence.ToArray();
            largestLeftover = Math.Max(largestLeftover, leftover.Length);
        }

        Assert.Equal(1, completed);
        Assert.Empty(leftover);

        // Only an unfinished count line may stay in the pipe, never bulk data.
        Assert.True(largestLeftover < 16, $"the parser left {largestLeftover} bytes unconsumed");
    }

    [Fact]
    public void Parse_NewCommandAfterComplete_ResetsTheRequest()
    {
        var outcome = ParseAll("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n*1\r\n$1\r\nd\r\nx y\r\n");
        Assert.Equal([["a", "b", "c"], ["d"], ["x", "y"]], outcome.Commands);
    }

    [Fact]
    public void Parse_RandomArgumentsInRandomSegments_RoundTripExactly()
    {
        var arguments = Gen.ArrayOf(Gen.ArrayOf(InterestingByte())).Where(args => args.Length > 0);
        var cuts = Gen.ArrayOf(Gen.Choose(0, int.MaxValue));
        var cases = Gen.Zip(arguments, cuts, (args, offsets) => (Args: args, Cuts: offsets)).ToArbitrary();

        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(cases, ((byte[][] Args, int[] Cuts) c) =>
            {
                var message = Encode(c.Args);
                var expected = c.Args.Select(a => Latin1.GetString(a)).ToArray();
                var offsets = c.Cuts.Select(cut => cut % (message.Length + 1)).Order().ToArray();

                var whole = ParseAll(TestSegment.Split(message, offsets));
                var chunks = offsets.Prepend(0).Zip(offsets.Append(message.Length), (start, end) => message[start..end]);
                var fed = Feed(chunks);
                return whole.Commands.Count == 1 && whole.Commands[0].SequenceEqual(expected) && whole.Consumed == message.Length
                    && fed.Commands.Count == 1 && fed.Commands[0].SequenceEqual(expected);
            }));
    }

    private static string Pipeline =>
        "*0\r\n" + SetCommand + "\r\nGET key\r\n*-1\r\n*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\r\n\r\n" + "  echo \"x y\"  'z'\n";

    private static string[][] PipelineCommands => [["SET", "key", "value"], ["GET", "key"], ["ECHO", "\r\n\r\n"], ["echo", "x y", "z"]];

    // Bytes the protocol cares about, more often than chance would give them.
    private static Gen<byte> InterestingByte() => Gen.Frequency(
        (4, Gen.Choose(0, 255).Select(i => (byte)i)),
        (1, Gen.Elements("\r\n*$0123456789- \"'"u8.ToArray())));

    private static byte[] Encode(params string[] arguments) => Encode([.. arguments.Select(a => Latin1.GetBytes(a))]);

    private static byte[] Encode(string[] first, byte[] last) => Encode([.. first.Select(a => Latin1.GetBytes(a)), last]);

    private static byte[] Encode(byte[][] arguments)
    {
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(writer, arguments.Length);
        foreach (var argument in arguments)
        {
            RespWriter.WriteBulk(writer, argument);
        }

        return writer.WrittenSpan.ToArray();
    }

    private static string[] Args(RespRequest request)
    {
        var args = new string[request.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Latin1.GetString(request[i]);
        }

        return args;
    }

    private static Outcome ParseAll(string input, RespLimits? limits = null, bool authenticated = true) =>
        ParseAll(new ReadOnlySequence<byte>(Latin1.GetBytes(input)), limits, authenticated);

    private static Outcome ParseAll(byte[] input, RespLimits? limits = null, bool authenticated = true) =>
        ParseAll(new ReadOnlySequence<byte>(input), limits, authenticated);

    /// <summary>Parses commands from <paramref name="input"/> until it runs out or fails.</summary>
    private static Outcome ParseAll(ReadOnlySequence<byte> input, RespLimits? limits = null, bool authenticated = true)
    {
        var parser = new RespRequestParser(limits ?? new RespLimits());
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(input);
        var commands = new List<string[]>();
        while (true)
        {
            var status = parser.Parse(ref reader, request, authenticated);
            if (status != RespParseStatus.Complete)
            {
                return new Outcome(commands, status, parser.Error, reader.Consumed);
            }

            commands.Add(Args(request));
        }
    }

    /// <summary>
    /// Feeds <paramref name="chunks"/> as a pipe would: what the parser left unconsumed stays
    /// and the next chunk arrives behind it as a new segment.
    /// </summary>
    private static Outcome Feed(IEnumerable<byte[]> chunks)
    {
        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var commands = new List<string[]>();
        var leftover = Array.Empty<byte>();
        long consumed = 0;
        var status = RespParseStatus.NeedMoreData;
        foreach (var chunk in chunks)
        {
            var reader = new SequenceReader<byte>(TestSegment.Create(leftover, chunk));
            while ((status = parser.Parse(ref reader, request)) == RespParseStatus.Complete)
            {
                commands.Add(Args(request));
            }

            if (status == RespParseStatus.Error)
            {
                break;
            }

            consumed += reader.Consumed;
            leftover = reader.UnreadSequence.ToArray();
        }

        return new Outcome(commands, status, parser.Error, consumed);
    }

    private sealed record Outcome(List<string[]> Commands, RespParseStatus Status, string? Error, long Consumed)
    {
        public override string ToString() =>
            $"{Status} error={Error ?? "none"} consumed={Consumed} commands=[{string.Join("; ", Commands.Select(c => string.Join(' ', c)))}]";
    }
}

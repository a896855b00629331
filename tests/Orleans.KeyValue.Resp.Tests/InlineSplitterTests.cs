using System.Buffers;
using System.Text;

namespace Orleans.KeyValue.Resp.Tests;

/// <summary>Redis's <c>sdssplitargs</c> rules; the expectations were checked against redis-server 7.0.15 with ECHO.</summary>
public sealed class InlineSplitterTests
{
    public static TheoryData<string, string[]> Lines => new()
    {
        { "set \"a b\" 'c\\'d' \"\\x41\\n\"", ["set", "a b", "c'd", "A\n"] },
        { "PING", ["PING"] },
        { "   echo    a   ", ["echo", "a"] },
        { "echo a\tb", ["echo", "a", "b"] },
        { "\techo\t", ["echo"] },
        { "echo a\vb", ["echo", "a\vb"] },
        { "echo \"a\"\v", ["echo", "a"] },
        { "echo \"\\x4\"", ["echo", "x4"] },
        { "echo \"\\xzz\"", ["echo", "xzz"] },
        { "echo \"\\x4a\\x4B\"", ["echo", "JK"] },
        { "echo \"\\x00\"", ["echo", "\0"] },
        { "echo \"a\\\"b\"", ["echo", "a\"b"] },
        { "echo \"\\c\"", ["echo", "c"] },
        { "echo \"\\n\\r\\t\\b\\a\\\\\"", ["echo", "\n\r\t\b\a\\"] },
        { "echo 'a\\nb'", ["echo", "a\\nb"] },
        { "echo 'a\"b'", ["echo", "a\"b"] },
        { "echo \"a'b\"", ["echo", "a'b"] },
        { "echo ab\"cd\"", ["echo", "abcd"] },
        { "echo ab'cd'", ["echo", "abcd"] },
        { "echo \"\"", ["echo", ""] },
        { "echo ''", ["echo", ""] },
        { "echo \"a\" \"b\"", ["echo", "a", "b"] },
        { "echo a\\nb", ["echo", "a\\nb"] },
        { "echo caf\u00e9", ["echo", "caf\u00e9"] },
        { "", [] },
        { "   ", [] },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void TrySplit_Line_SplitsAsRedis(string line, string[] expected)
    {
        using var request = new RespRequest();
        Assert.True(InlineSplitter.TrySplit(Encoding.Latin1.GetBytes(line), request, new ArrayBufferWriter<byte>()));
        Assert.Equal(expected, Args(request));
    }

    [Theory]
    [InlineData("echo \"abc")]
    [InlineData("echo 'abc")]
    [InlineData("echo \"a\"b")]
    [InlineData("echo 'a'b")]
    [InlineData("echo \"abc\\\"")]
    [InlineData("echo \"abc\\")]
    [InlineData("echo 'abc\\'")]
    [InlineData("\"")]
    public void TrySplit_UnbalancedQuotes_Fails(string line)
    {
        using var request = new RespRequest();
        Assert.False(InlineSplitter.TrySplit(Encoding.Latin1.GetBytes(line), request, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Parse_InlineWithQuotesAndEscapes_GivesRedisArguments()
    {
        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("set \"a b\" 'c\\'d' \"\\x41\\n\"\r\n"u8.ToArray()));

        Assert.Equal(RespParseStatus.Complete, parser.Parse(ref reader, request));
        Assert.Equal(["set", "a b", "c'd", "A\n"], Args(request));
    }

    [Fact]
    public void Parse_InlineWithUnbalancedQuotes_FailsWithRedisText()
    {
        var parser = new RespRequestParser(new RespLimits());
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("echo \"abc\r\n"u8.ToArray()));

        Assert.Equal(RespParseStatus.Error, parser.Parse(ref reader, request));
        Assert.Equal("Protocol error: unbalanced quotes in request", parser.Error);
    }

    private static string[] Args(RespRequest request)
    {
        var args = new string[request.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Encoding.Latin1.GetString(request[i]);
        }

        return args;
    }
}

using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Orleans.KeyValue.Resp.Tests;

public sealed class RespReplyReaderTests
{
    // Every frame type; the HELLO and push frames are verbatim from redis-server 7.0.15.
    public static TheoryData<string> WellFormed => new()
    {
        "+OK\r\n",
        "+\r\n",
        "-ERR unknown command 'FOO', with args beginning with: \r\n",
        ":0\r\n",
        ":-9223372036854775808\r\n",
        "$5\r\nhello\r\n",
        "$0\r\n\r\n",
        "$4\r\n\r\n\r\n\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "_\r\n",
        "*0\r\n",
        "*3\r\n:1\r\n$1\r\na\r\n*2\r\n_\r\n*0\r\n",
        ",1.5\r\n",
        ",inf\r\n",
        ",-inf\r\n",
        ",nan\r\n",
        ",1.0000000000000001e-05\r\n",
        ",-0\r\n",
        "#t\r\n",
        "#f\r\n",
        "!21\r\nSYNTAX invalid syntax\r\n",
        "!0\r\n\r\n",
        "=15\r\ntxt:Some string\r\n",
        "=4\r\ntxt:\r\n",
        "(3492890328409238509324850943850943825024385\r\n",
        "(-3492890328409238509324850943850943825024385\r\n",
        "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        "%0\r\n",
        "~2\r\n+a\r\n:1\r\n",
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n",
        "|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n:2\r\n",
        "*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:2\r\n",
        "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:61\r\n"
            + "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
    };

    public static TheoryData<string> Malformed => new()
    {
        "x\r\n",
        "\r\n",
        " +OK\r\n",
        ":abc\r\n",
        ":01\r\n",
        ":\r\n",
        ":+1\r\n",
        ":9223372036854775808\r\n",
        "$-2\r\n",
        "$abc\r\n",
        "$\r\n",
        "$3\r\nabcde\r\n",
        "$3\r\nabc\n\r",
        "+a\rb\r\n",
        "+a\nb\r\n",
        "_x\r\n",
        "#x\r\n",
        "#\r\n",
        "#tt\r\n",
        ",abc\r\n",
        ",\r\n",
        ",1.5x\r\n",
        "(12a\r\n",
        "(\r\n",
        "(-\r\n",
        "=3\r\ntxt\r\n",
        "=5\r\ntxtab\r\n",
        "=-1\r\n",
        "!-1\r\n",
        "*-2\r\n",
        "%-1\r\n",
        "~-1\r\n",
        ">-1\r\n",
        "|-1\r\n",
        "$?\r\n",
        "*?\r\n",
        "*2147483648\r\n",
        "%1073741824\r\n",
        "*1\r\n:x\r\n",
        "*2\r\n:1\r\n?\r\n",
        "|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n",
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryRead_EveryPrefix_ReturnsFalseWithoutThrowing(string reply)
    {
        var bytes = Encoding.Latin1.GetBytes(reply);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(RespReplyReader.TryRead(bytes.AsSpan(0, length), out var frame, out var consumed), $"prefix of {length} bytes");
            Assert.Null(frame);
            Assert.Equal(0, consumed);
            Assert.False(RespReplyReader.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _), $"prefix of {length} bytes");
            Assert.False(RespReplyReader.TryGetFrameLength(bytes.AsSpan(0, length), out _), $"prefix of {length} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryRead_WholeFrameWithTrailingBytes_ConsumesOnlyTheFrame(string reply)
    {
        var bytes = Encoding.Latin1.GetBytes(reply + "+NEXT\r\n");

        Assert.True(RespReplyReader.TryRead(bytes, out var frame, out var consumed));
        Assert.NotNull(frame);
        Assert.Equal(reply.Length, consumed);
        Assert.True(RespReplyReader.TryGetFrameLength(bytes, out var length));
        Assert.Equal(reply.Length, length);
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryRead_SplitIntoSegments_GivesTheSameFrame(string reply)
    {
        var bytes = Encoding.Latin1.GetBytes(reply + ":7\r\n");
        Assert.True(RespReplyReader.TryRead(bytes, out var expected, out _));
        foreach (var cuts in TestSegment.ThreeWayCuts(bytes.Length))
        {
            var sequence = TestSegment.Split(bytes, cuts);
            Assert.True(RespReplyReader.TryRead(sequence, out var frame, out var consumed), $"cuts at {cuts[0]}, {cuts[1]}");
            Assert.Equal(expected, frame);
            Assert.Equal(":7\r\n"u8.ToArray(), sequence.Slice(consumed).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryRead_PrefixSplitIntoSegments_ReturnsFalse(string reply)
    {
        var bytes = Encoding.Latin1.GetBytes(reply);
        foreach (var cuts in TestSegment.TwoWayCuts(bytes.Length - 1))
        {
            Assert.False(RespReplyReader.TryRead(TestSegment.Split(bytes[..^1], cuts), out _, out _), $"cut at {cuts[0]}");
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryRead_Malformed_ThrowsProtocolException(string reply)
    {
        var bytes = Encoding.Latin1.GetBytes(reply);
        var exception = Assert.Throws<RespProtocolException>(() => RespReplyReader.TryRead(bytes, out _, out _));
        Assert.StartsWith("Malformed RESP reply at byte ", exception.Message, StringComparison.Ordinal);
        Assert.Throws<RespProtocolException>(() => RespReplyReader.TryGetFrameLength(bytes, out _));
        foreach (var cuts in TestSegment.TwoWayCuts(bytes.Length))
        {
            Assert.Throws<RespProtocolException>(() => RespReplyReader.TryRead(TestSegment.Split(bytes, cuts), out _, out _));
        }
    }

    [Fact]
    public void TryRead_SimpleString_GivesText()
    {
        var frame = Read("+OK\r\n");
        Assert.Equal(RespFrameType.SimpleString, frame.Type);
        Assert.Equal("OK", frame.Text);
        Assert.Equal("OK"u8.ToArray(), frame.Bytes);
    }

    [Fact]
    public void TryRead_Error_GivesText()
    {
        var frame = Read("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        Assert.Equal(RespFrameType.Error, frame.Type);
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", frame.Text);
    }

    [Theory]
    [InlineData(":0\r\n", 0L)]
    [InlineData(":-1\r\n", -1L)]
    [InlineData(":9223372036854775807\r\n", long.MaxValue)]
    [InlineData(":-9223372036854775808\r\n", long.MinValue)]
    public void TryRead_Integer_GivesValue(string reply, long expected)
    {
        var frame = Read(reply);
        Assert.Equal(RespFrameType.Integer, frame.Type);
        Assert.Equal(expected, frame.Integer);
        Assert.Null(frame.Bytes);
        Assert.Equal(string.Empty, frame.Text);
    }

    [Fact]
    public void TryRead_BinaryBulk_KeepsEveryByte()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var frame = Read(Encoding.Latin1.GetBytes("$256\r\n").Concat(value).Concat("\r\n"u8.ToArray()).ToArray());
        Assert.Equal(RespFrameType.BulkString, frame.Type);
        Assert.Equal(value, frame.Bytes);
    }

    [Fact]
    public void TryRead_EmptyBulk_GivesEmptyBytes()
    {
        var frame = Read("$0\r\n\r\n");
        Assert.Equal(RespFrameType.BulkString, frame.Type);
        Assert.Empty(frame.Bytes!);
    }

    [Fact]
    public void TryRead_Resp2NilBulk_IsNullButNotNullArray()
    {
        var frame = Read("$-1\r\n");
        Assert.Equal(RespFrameType.Null, frame.Type);
        Assert.False(frame.IsNullArray);
        Assert.Null(frame.Bytes);
    }

    [Fact]
    public void TryRead_Resp2NilArray_IsNullArray()
    {
        var frame = Read("*-1\r\n");
        Assert.Equal(RespFrameType.Null, frame.Type);
        Assert.True(frame.IsNullArray);
        Assert.Null(frame.Items);
    }

    [Fact]
    public void TryRead_Resp3Null_IsNull()
    {
        var frame = Read("_\r\n");
        Assert.Equal(RespFrameType.Null, frame.Type);
        Assert.False(frame.IsNullArray);
    }

    [Fact]
    public void TryRead_NestedArray_GivesTree()
    {
        var frame = Read("*3\r\n:1\r\n$1\r\na\r\n*2\r\n_\r\n*0\r\n");
        var expected = RespFrame.FromItems(RespFrameType.Array, [
            RespFrame.FromInteger(1),
            RespFrame.FromText(RespFrameType.BulkString, "a"),
            RespFrame.FromItems(RespFrameType.Array, [RespFrame.Null, RespFrame.FromItems(RespFrameType.Array, [])]),
        ]);
        Assert.Equal(expected, frame);
    }

    [Theory]
    [InlineData(",1.5\r\n", "1.5")]
    [InlineData(",inf\r\n", "inf")]
    [InlineData(",-inf\r\n", "-inf")]
    [InlineData(",nan\r\n", "nan")]
    [InlineData(",1e+20\r\n", "1e+20")]
    public void TryRead_Double_KeepsTextAsSent(string reply, string text)
    {
        var frame = Read(reply);
        Assert.Equal(RespFrameType.Double, frame.Type);
        Assert.Equal(text, frame.Text);
    }

    [Theory]
    [InlineData("#t\r\n", true)]
    [InlineData("#f\r\n", false)]
    public void TryRead_Boolean_GivesValue(string reply, bool expected)
    {
        var frame = Read(reply);
        Assert.Equal(RespFrameType.Boolean, frame.Type);
        Assert.Equal(expected, frame.Boolean);
    }

    [Fact]
    public void TryRead_BlobError_GivesText()
    {
        var frame = Read("!21\r\nSYNTAX invalid syntax\r\n");
        Assert.Equal(RespFrameType.BlobError, frame.Type);
        Assert.Equal("SYNTAX invalid syntax", frame.Text);
    }

    [Fact]
    public void TryRead_VerbatimString_KeepsFormatPrefix()
    {
        var frame = Read("=15\r\ntxt:Some string\r\n");
        Assert.Equal(RespFrameType.VerbatimString, frame.Type);
        Assert.Equal("txt:Some string", frame.Text);
    }

    [Fact]
    public void TryRead_BigNumber_KeepsDigits()
    {
        var frame = Read("(-3492890328409238509324850943850943825024385\r\n");
        Assert.Equal(RespFrameType.BigNumber, frame.Type);
        Assert.Equal("-3492890328409238509324850943850943825024385", frame.Text);
    }

    [Fact]
    public void TryRead_Map_AlternatesKeysAndValues()
    {
        var frame = Read("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n");
        Assert.Equal(RespFrameType.Map, frame.Type);
        Assert.Equal(["first", "", "second", ""], frame.Items!.Select(i => i.Text));
        Assert.Equal([0L, 1, 0, 2], frame.Items!.Select(i => i.Integer));
    }

    [Fact]
    public void TryRead_Set_GivesItems()
    {
        var frame = Read("~2\r\n+a\r\n+b\r\n");
        Assert.Equal(RespFrameType.Set, frame.Type);
        Assert.Equal(["a", "b"], frame.Items!.Select(i => i.Text));
    }

    [Fact]
    public void TryRead_Push_GivesItems()
    {
        var frame = Read(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
        Assert.Equal(RespFrameType.Push, frame.Type);
        Assert.Equal("invalidate", frame.Items![0].Text);
        Assert.Equal("k", Assert.Single(frame.Items[1].Items!).Text);
    }

    [Fact]
    public void TryRead_AttributeBeforeReply_IsHungOnTheReply()
    {
        const string Reply = "|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n:2\r\n";
        Assert.True(RespReplyReader.TryRead(Encoding.Latin1.GetBytes(Reply), out var frame, out var consumed));

        Assert.Equal(Reply.Length, consumed);
        Assert.Equal(RespFrameType.Integer, frame.Type);
        Assert.Equal(2, frame.Integer);
        var attribute = frame.Attribute!;
        Assert.Equal(RespFrameType.Attribute, attribute.Type);
        Assert.Equal("key-popularity", attribute.Items![0].Text);
        Assert.Equal(RespFrameType.Array, attribute.Items[1].Type);
    }

    [Fact]
    public void TryRead_AttributeInsideArray_DoesNotCountAsAnElement()
    {
        var frame = Read("*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:2\r\n");

        Assert.Equal(2, frame.Items!.Count);
        Assert.Equal("v", frame.Items[0].Text);
        Assert.Equal(3600, frame.Items[0].Attribute!.Items![1].Integer);
        Assert.Null(frame.Items[1].Attribute);
    }

    [Fact]
    public void TryRead_AttributeWithoutItsReply_NeedsMoreData()
    {
        Assert.False(RespReplyReader.TryRead("|1\r\n+a\r\n+b\r\n"u8, out _, out _));
        Assert.False(RespReplyReader.TryGetFrameLength("|1\r\n+a\r\n+b\r\n"u8, out _));
    }

    [Fact]
    public void TryRead_NestedToTheLimit_Succeeds()
    {
        var frame = Read(Nested(RespReplyReader.MaxNestingDepth));
        for (var depth = 0; depth < RespReplyReader.MaxNestingDepth; depth++)
        {
            frame = Assert.Single(frame.Items!);
        }

        Assert.Equal(1, frame.Integer);
    }

    [Fact]
    public void TryRead_NestedPastTheLimit_Throws()
    {
        var bytes = Nested(RespReplyReader.MaxNestingDepth + 1);
        Assert.Throws<RespProtocolException>(() => RespReplyReader.TryRead(bytes, out _, out _));
        Assert.Throws<RespProtocolException>(() => RespReplyReader.TryGetFrameLength(bytes, out _));
        Assert.Throws<RespProtocolException>(() => RespReplyReader.TryRead(TestSegment.Split(bytes, bytes.Length / 2), out _, out _));
    }

    [Fact]
    public void TryRead_HugeAggregateCountWithoutData_NeedsMoreData()
    {
        Assert.False(RespReplyReader.TryRead("*2147483647\r\n:1\r\n"u8, out _, out _));
        Assert.False(RespReplyReader.TryRead("%1073741823\r\n"u8, out _, out _));
    }

    [Fact]
    public void TryRead_HugeBulkLengthWithoutData_NeedsMoreData()
    {
        Assert.False(RespReplyReader.TryRead("$2147483591\r\nabc"u8, out _, out _));
    }

    [Fact]
    public void TryRead_SingleSegmentSequence_ReportsPositionAfterTheFrame()
    {
        var sequence = new ReadOnlySequence<byte>("+OK\r\n:1\r\n"u8.ToArray());
        Assert.True(RespReplyReader.TryRead(sequence, out var first, out var consumed));
        Assert.Equal("OK", first.Text);
        Assert.True(RespReplyReader.TryRead(sequence.Slice(consumed), out var second, out consumed));
        Assert.Equal(1, second.Integer);
        Assert.Equal(sequence.End, consumed);
    }

    [Fact]
    public void TryRead_IncompleteSequence_ReportsNothingConsumed()
    {
        var sequence = TestSegment.Split("*2\r\n:1\r\n"u8.ToArray(), 3);
        Assert.False(RespReplyReader.TryRead(sequence, out var frame, out var consumed));
        Assert.Null(frame);
        Assert.Equal(sequence.Start, consumed);
    }

    [Fact]
    public void TryRead_RandomReplyTreesWrittenByRespWriter_ReadBackTheSameTree()
    {
        var cases = (
            from reply in Gen.Sized(size => ReplyGen(Math.Min(size, 30)))
            from protocol in Gen.Elements(2, 3)
            from cuts in Gen.ArrayOf(Gen.Choose(0, int.MaxValue))
            select (Reply: reply, Protocol: protocol, Cuts: cuts)).ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(cases, ((Reply Reply, int Protocol, int[] Cuts) c) =>
            {
                var writer = new ArrayBufferWriter<byte>();
                c.Reply.Write(writer, c.Protocol);
                var bytes = writer.WrittenSpan.ToArray();
                var expected = c.Reply.Expected(c.Protocol);

                var fromSpan = RespReplyReader.TryRead(bytes, out var frame, out var consumed)
                    && consumed == bytes.Length && expected.Equals(frame);
                var fromLength = RespReplyReader.TryGetFrameLength(bytes, out var length) && length == bytes.Length;
                var cuts = c.Cuts.Select(cut => cut % (bytes.Length + 1)).Order().ToArray();
                var sequence = TestSegment.Split(bytes, cuts);
                var fromSegments = RespReplyReader.TryRead(sequence, out var split, out var end)
                    && expected.Equals(split) && sequence.Slice(end).IsEmpty;
                var prefixIncomplete = bytes.Length > 300 || Enumerable.Range(0, bytes.Length)
                    .All(n => !RespReplyReader.TryRead(bytes.AsSpan(0, n), out _, out _));
                return (fromSpan && fromLength && fromSegments && prefixIncomplete)
                    .Label($"RESP{c.Protocol} {c.Reply}: read {frame?.ToString() ?? "nothing"}");
            }));
    }

    private static byte[] Nested(int depth) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", depth)) + ":1\r\n");

    private static RespFrame Read(string reply) => Read(Encoding.Latin1.GetBytes(reply));

    private static RespFrame Read(byte[] reply)
    {
        Assert.True(RespReplyReader.TryRead(reply, out var frame, out var consumed));
        Assert.Equal(reply.Length, consumed);
        return frame;
    }

    private static Gen<Reply> ReplyGen(int size) =>
        size <= 0 ? LeafGen() : Gen.Frequency((3, LeafGen()), (1, AggregateGen(size)));

    private static Gen<string> TextGen() =>
        Gen.ArrayOf(Gen.Elements("abcXYZ019 :-_\u00e9".ToCharArray())).Select(chars => new string(chars));

    private static Gen<long> Int64Gen() => Gen.Frequency(
        (4, Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue), (high, low) => ((long)high << 32) | (uint)low)),
        (1, Gen.Elements(0L, -1L, long.MinValue, long.MaxValue)));

    private static Gen<Reply> LeafGen() => Gen.OneOf(
        TextGen().Select(text => new Reply(
            $"simple({text})",
            (w, _) => RespWriter.WriteSimpleString(w, text),
            _ => RespFrame.FromText(RespFrameType.SimpleString, text))),
        TextGen().Select(text => new Reply(
            $"error(ERR {text})",
            (w, _) => RespWriter.WriteError(w, "ERR " + text),
            _ => RespFrame.FromText(RespFrameType.Error, "ERR " + text))),
        Int64Gen().Select(value => new Reply(
            $"integer({value})",
            (w, _) => RespWriter.WriteInteger(w, value),
            _ => RespFrame.FromInteger(value))),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(bytes => new Reply(
            $"bulk({Convert.ToHexString(bytes)})",
            (w, _) => RespWriter.WriteBulk(w, bytes),
            _ => RespFrame.FromBytes(RespFrameType.BulkString, bytes))),
        TextGen().Select(text => new Reply(
            $"bulk(\"{text}\")",
            (w, _) => RespWriter.WriteBulk(w, text),
            _ => RespFrame.FromText(RespFrameType.BulkString, text))),
        Gen.Constant(new Reply("null", RespWriter.WriteNull, _ => RespFrame.Null)),
        Gen.Constant(new Reply("null-array", RespWriter.WriteNullArray, p => p >= 3 ? RespFrame.Null : RespFrame.NullArray)),
        Gen.Elements(true, false).Select(value => new Reply(
            $"boolean({value})",
            (w, p) => RespWriter.WriteBoolean(w, value, p),
            p => p >= 3 ? RespFrame.FromBoolean(value) : RespFrame.FromInteger(value ? 1 : 0))),
        Gen.Elements((1.5, "1.5"), (3.0, "3"), (0.1, "0.10000000000000001"), (1e20, "1e+20"), (double.NegativeInfinity, "-inf")).Select(d => new Reply(
            $"double({d.Item2})",
            (w, p) => RespWriter.WriteDouble(w, d.Item1, p),
            p => RespFrame.FromText(p >= 3 ? RespFrameType.Double : RespFrameType.BulkString, d.Item2))));

    private static Gen<Reply> AggregateGen(int size) =>
        from kind in Gen.Elements(RespFrameType.Array, RespFrameType.Set, RespFrameType.Map)
        from count in Gen.Choose(0, 4)
        from children in Gen.ArrayOf(ReplyGen(size / 2), kind == RespFrameType.Map ? count * 2 : count)
        select new Reply(
            $"{kind}[{string.Join(", ", children.Select(c => c.Shape))}]",
            (w, p) =>
            {
                switch (kind)
                {
                    case RespFrameType.Map:
                        RespWriter.WriteMapHeader(w, count, p);
                        break;
                    case RespFrameType.Set:
                        RespWriter.WriteSetHeader(w, count, p);
                        break;
                    default:
                        RespWriter.WriteArrayHeader(w, count);
                        break;
                }

                foreach (var child in children)
                {
                    child.Write(w, p);
                }
            },
            p => RespFrame.FromItems(p >= 3 ? kind : RespFrameType.Array, children.Select(c => c.Expected(p))));

    /// <summary>A reply to write (with the protocol) and the frame a reader must give back.</summary>
    public sealed record Reply(string Shape, Action<IBufferWriter<byte>, int> Write, Func<int, RespFrame> Expected)
    {
        public override string ToString() => Shape;
    }
}

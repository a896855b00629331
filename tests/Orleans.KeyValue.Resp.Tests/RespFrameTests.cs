namespace Orleans.KeyValue.Resp.Tests;

public sealed class RespFrameTests
{
    [Fact]
    public void ToString_NestedArray_LooksLikeRedisCli()
    {
        var frame = RespFrame.FromItems(RespFrameType.Array, [
            RespFrame.FromText(RespFrameType.BulkString, "a\r\n\"b\""),
            RespFrame.FromInteger(1),
            RespFrame.FromItems(RespFrameType.Array, [RespFrame.Null, RespFrame.NullArray]),
            RespFrame.FromItems(RespFrameType.Array, []),
            RespFrame.FromText(RespFrameType.Error, "ERR no"),
        ]);

        Assert.Equal(
            "1) \"a\\r\\n\\\"b\\\"\"\n2) (integer) 1\n3) 1) (nil)\n   2) (nil array)\n4) (empty array)\n5) (error) ERR no",
            frame.ToString());
    }

    [Fact]
    public void ToString_Resp3Types_AreLabelled()
    {
        var frame = RespFrame.FromItems(RespFrameType.Map, [
            RespFrame.FromText(RespFrameType.SimpleString, "k"),
            RespFrame.FromText(RespFrameType.Double, "1.5"),
            RespFrame.FromText(RespFrameType.SimpleString, "b"),
            RespFrame.FromBoolean(true),
        ]);

        Assert.Equal("1# k => (double) 1.5\n2# b => (true)", frame.ToString());
    }

    [Fact]
    public void ToString_WithAttribute_ShowsItFirst()
    {
        var attribute = RespFrame.FromItems(RespFrameType.Attribute, [RespFrame.FromText(RespFrameType.SimpleString, "ttl"), RespFrame.FromInteger(5)]);
        var frame = RespFrame.FromInteger(2).WithAttribute(attribute);

        Assert.Equal("(attribute) 1| ttl => (integer) 5\n(integer) 2", frame.ToString());
    }

    [Fact]
    public void Equals_SameTree_IsEqualWithSameHash()
    {
        static RespFrame Build() => RespFrame.FromItems(RespFrameType.Set, [RespFrame.FromText(RespFrameType.BulkString, "x"), RespFrame.Null]);

        Assert.Equal(Build(), Build());
        Assert.Equal(Build().GetHashCode(), Build().GetHashCode());
    }

    [Fact]
    public void Equals_DifferentTypeSameBytes_IsNotEqual() =>
        Assert.NotEqual(RespFrame.FromText(RespFrameType.SimpleString, "OK"), RespFrame.FromText(RespFrameType.BulkString, "OK"));

    [Fact]
    public void Equals_NullAndNullArray_AreNotEqual() => Assert.NotEqual(RespFrame.Null, RespFrame.NullArray);

    [Fact]
    public void Equals_DifferentAttributes_AreNotEqual()
    {
        var attribute = RespFrame.FromItems(RespFrameType.Attribute, [RespFrame.FromInteger(1), RespFrame.FromInteger(2)]);
        Assert.NotEqual(RespFrame.FromInteger(1), RespFrame.FromInteger(1).WithAttribute(attribute));
    }

    [Fact]
    public void Text_WithoutBytes_IsEmpty() => Assert.Equal(string.Empty, RespFrame.FromInteger(3).Text);

    [Fact]
    public void FromItems_MapWithOddItemCount_Throws() =>
        Assert.Throws<ArgumentException>(() => RespFrame.FromItems(RespFrameType.Map, [RespFrame.Null]));

    [Fact]
    public void FromBytes_OnAggregateType_Throws() =>
        Assert.Throws<ArgumentException>(() => RespFrame.FromBytes(RespFrameType.Array, "x"u8));

    [Fact]
    public void WithAttribute_NotAnAttributeFrame_Throws() =>
        Assert.Throws<ArgumentException>(() => RespFrame.FromInteger(1).WithAttribute(RespFrame.FromInteger(2)));
}

using System.Text;

namespace Orleans.KeyValue.Resp.Tests;

public sealed class KeySlotTests
{
    [Fact]
    public void Crc16_MatchesTheXmodemCheckValue()
    {
        // The published check value of CRC-16/XMODEM, the one Redis Cluster uses.
        Assert.Equal(0x31C3, KeySlot.Crc16("123456789"u8));
    }

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("hello", 866)]
    [InlineData("", 0)]
    public void Of_MatchesRedisClusterKeyslot(string key, int slot)
    {
        // Values as CLUSTER KEYSLOT answers them.
        Assert.Equal(slot, KeySlot.Of(Encoding.UTF8.GetBytes(key)));
    }

    [Theory]
    [InlineData("{user1000}.following", "user1000")]
    [InlineData("foo{bar}{zap}", "bar")]
    [InlineData("{}{x}", "{}{x}")]
    [InlineData("{user", "{user")]
    public void Of_HashesOnlyTheHashTag(string key, string hashed)
    {
        Assert.Equal(KeySlot.Of(Encoding.UTF8.GetBytes(hashed)), KeySlot.Of(Encoding.UTF8.GetBytes(key)));
    }
}

using System.Text;
using Orleans.KeyValue.Grains.Memory;

namespace Orleans.KeyValue.Grains.Tests.Memory;

/// <summary>The LRU clock and Redis's LFU counter kept per key hash.</summary>
public sealed class KeyAccessTableTests
{
    private const long Start = 1_800_000_000_000;

    [Fact]
    public void Lru_IdleTime_IsTheTimeSinceTheLastUse()
    {
        var table = new KeyAccessTable(1 << 16, Start);
        table.Touch(Key("a"), Start + 100, lfu: false, created: true, logFactor: 10, decayMinutes: 1);
        table.Touch(Key("b"), Start + 400, lfu: false, created: true, logFactor: 10, decayMinutes: 1);

        Assert.Equal(900, table.IdleMsOf(Key("a"), Start + 1000));
        Assert.Equal(600, table.IdleMsOf(Key("b"), Start + 1000));
        Assert.True(table.EvictionScore(Key("a"), Start + 1000, lfu: false, decayMinutes: 1) > table.EvictionScore(Key("b"), Start + 1000, lfu: false, decayMinutes: 1));
    }

    [Fact]
    public void Lfu_NewKey_StartsAtRedisInitialValue_AndGrowsLogarithmically()
    {
        var table = new KeyAccessTable(1 << 16, Start);
        table.Touch(Key("k"), Start, lfu: true, created: true, logFactor: 10, decayMinutes: 1);
        Assert.Equal(KeyAccessTable.LfuInitialValue, table.FrequencyOf(Key("k"), Start, decayMinutes: 1));

        // With factor 0 every use counts (Redis: p = 1/(base*0+1) = 1).
        for (var i = 0; i < 10; i++)
        {
            table.Touch(Key("k"), Start, lfu: true, created: false, logFactor: 0, decayMinutes: 1);
        }

        Assert.Equal(KeyAccessTable.LfuInitialValue + 10, table.FrequencyOf(Key("k"), Start, decayMinutes: 1));

        // With factor 10, 1,000 uses from 15 add far fewer than 1,000 (Redis's table: about 18 for 1k hits... from 5).
        for (var i = 0; i < 1000; i++)
        {
            table.Touch(Key("k"), Start, lfu: true, created: false, logFactor: 10, decayMinutes: 1);
        }

        Assert.InRange(table.FrequencyOf(Key("k"), Start, decayMinutes: 1), 16, 40);
    }

    [Fact]
    public void Lfu_Counter_LosesOnePerDecayPeriod()
    {
        var table = new KeyAccessTable(1 << 16, Start);
        table.Touch(Key("k"), Start, lfu: true, created: true, logFactor: 10, decayMinutes: 1);

        Assert.Equal(5, table.FrequencyOf(Key("k"), Start + 59_000, decayMinutes: 1));
        Assert.Equal(2, table.FrequencyOf(Key("k"), Start + (3 * 60_000) + 1, decayMinutes: 1));
        Assert.Equal(0, table.FrequencyOf(Key("k"), Start + (30 * 60_000), decayMinutes: 1));
        Assert.Equal(5, table.FrequencyOf(Key("k"), Start + (30 * 60_000), decayMinutes: 0));
    }

    [Theory]
    [InlineData(0, 1 << 16)]
    [InlineData(100L * 1024 * 1024, 1 << 19)]
    [InlineData(1L << 40, 1 << 24)]
    public void SizeFor_IsAPowerOfTwoWithinBounds(long maxMemory, int expected) =>
        Assert.Equal(expected, KeyAccessTable.SizeFor(maxMemory));

    [Theory]
    [InlineData("allkeys-lru", EvictionPolicy.AllKeysLru)]
    [InlineData("VOLATILE-TTL", EvictionPolicy.VolatileTtl)]
    [InlineData("noeviction", EvictionPolicy.NoEviction)]
    public void Policies_ParseRedisNames(string name, EvictionPolicy expected)
    {
        Assert.True(EvictionPolicies.TryParse(name, out var policy));
        Assert.Equal(expected, policy);
        Assert.Equal(name.ToLowerInvariant(), EvictionPolicies.NameOf(policy));
    }

    [Fact]
    public void Policies_RefuseUnknownNames() => Assert.False(EvictionPolicies.TryParse("allkeys-mru", out _));

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);
}

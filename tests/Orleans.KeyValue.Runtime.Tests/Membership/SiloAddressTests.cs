using Orleans.KeyValue.Runtime.Membership;

namespace Orleans.KeyValue.Runtime.Tests.Membership;

public sealed class SiloAddressTests
{
    private const int TestTimeout = 10_000;

    [Theory(Timeout = TestTimeout)]
    [InlineData("10.0.0.1", 11111, 1L, "10.0.0.1:11111@1")]
    [InlineData("silo-0.kv.svc.cluster.local", 0, 1_741_965_000_123L, "silo-0.kv.svc.cluster.local:0@1741965000123")]
    [InlineData("::1", 11111, 5L, "::1:11111@5")]
    [InlineData("fe80::1%eth0", 65535, 0L, "fe80::1%eth0:65535@0")]
    [InlineData("[2001:db8::7]", 30000, long.MaxValue, "[2001:db8::7]:30000@9223372036854775807")]
    [InlineData("odd@host", 1, 2L, "odd@host:1@2")]
    public Task ToString_ThenTryParse_RoundTrips(string host, int port, long generation, string text)
    {
        var address = new SiloAddress(host, port, generation);

        Assert.Equal(text, address.ToString());
        Assert.True(SiloAddress.TryParse(text, out var parsed));
        Assert.Equal(address, parsed);
        Assert.Equal(address, SiloAddress.Parse(text));
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeout)]
    public Task TryParse_OfAnIPv6LoopbackHost_SplitsAtTheLastColonBeforeTheGeneration()
    {
        Assert.True(SiloAddress.TryParse("::1:11111@5", out var address));

        Assert.Equal("::1", address.Host);
        Assert.Equal(11111, address.Port);
        Assert.Equal(5, address.Generation);
        Assert.Equal("::1:11111", address.Endpoint);
        return Task.CompletedTask;
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("host:1")]
    [InlineData("host@1")]
    [InlineData(":1@1")]
    [InlineData("host:@1")]
    [InlineData("host:1@")]
    [InlineData("host:x@1")]
    [InlineData("host:1@x")]
    [InlineData("host:-1@1")]
    [InlineData("host:+1@1")]
    [InlineData("host:1@-1")]
    [InlineData("host: 1@1")]
    [InlineData("host:1@1 ")]
    [InlineData("host:99999999999@1")]
    [InlineData("host:1@99999999999999999999")]
    public Task TryParse_OfMalformedText_ReturnsFalse(string text)
    {
        Assert.False(SiloAddress.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SiloAddress.Parse(text));
        return Task.CompletedTask;
    }
}

using System.Globalization;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>maxmemory's options: Redis's units and policy names, an unknown policy refused at start (Build only reads them; nothing listens).</summary>
public sealed class MaxMemoryOptionsTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("bogus")]
    [InlineData("allkeys-mru")]
    public async Task UnknownPolicy_IsRefusedAtStart(string policy)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--maxmemory", "100mb", "--maxmemory-policy", policy))));
        Assert.Contains(policy, error.Message, StringComparison.Ordinal);
        Assert.Contains("allkeys-lru", error.Message, StringComparison.Ordinal);
        Assert.Contains("noeviction", error.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("noeviction")]
    [InlineData("allkeys-lru")]
    [InlineData("allkeys-lfu")]
    [InlineData("allkeys-random")]
    [InlineData("volatile-lru")]
    [InlineData("volatile-lfu")]
    [InlineData("volatile-random")]
    [InlineData("volatile-ttl")]
    public async Task EveryRedisPolicy_Starts(string policy)
    {
        await using var app = SiloApplication.Build(Ports("--maxmemory", "100mb", "--maxmemory-policy", policy, "--maxmemory-samples", "10"));
        Assert.NotNull(app);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("100mb")]
    [InlineData("1GB")]
    [InlineData("5000")]
    public async Task NoEviction_WithRedisUnits_Starts(string limit)
    {
        await using var app = SiloApplication.Build(Ports("--maxmemory", limit, "--maxmemory-policy", "noeviction"));
        Assert.NotNull(app);
    }

    private static string[] Ports(params string[] more) =>
    [
        "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--dashboard-port", "0",
        .. more,
    ];
}

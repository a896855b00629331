using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>Bad cluster flags stop the silo at start with a message that names the flag; settings reach the runtime.</summary>
public sealed class SiloConfigurationTests
{
    /// <summary>A silo's flags on free ports (no dashboard), then <paramref name="flags"/>.</summary>
    private static string[] SiloArgs(int port, params string[] flags) =>
    [
        "--port", port.ToString(CultureInfo.InvariantCulture),
        "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--dashboard-port", "0",
        .. flags,
    ];

    private static async Task<string> StartFailureAsync(params string[] flags)
    {
        var args = SiloArgs(FreePort.Next(), flags);
        // Some options are read while the silo is composed, the rest when it starts: either way it stops.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = SiloApplication.Build(args);
            await app.StartAsync();
        });
        return error.Message;
    }

    [Theory(Timeout = 30_000)]
    [InlineData("nonsense")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:11111,host:port")]
    public async Task MalformedSeeds_AreRefusedAtStart(string seeds) =>
        Assert.Contains("--seeds", await StartFailureAsync("--seeds", seeds), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task UnknownMembership_IsRefusedAtStart() =>
        Assert.Contains("'embedded' or 'postgres'", await StartFailureAsync("--membership", "zookeeper"), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task PostgresWithoutConnectionString_IsRefusedAtStart() =>
        Assert.Contains("--connection-string", await StartFailureAsync("--membership", "postgres"), StringComparison.Ordinal);

    [Fact(Timeout = 60_000)]
    public async Task IdleKeyGrain_IsCollectedAfterItsAge_AndTheKeyKeepsValueAndDeadline()
    {
        var port = FreePort.Next();
        await using var app = SiloApplication.Build(SiloArgs(port, ["--KeyGrains:CollectionAge=00:00:02", "--KeyGrains:CollectionQuantum=00:00:01"]));
        await app.StartAsync();
        var keys = app.Services.GetRequiredService<KeyGrainServices>();
        await using var client = await RawRespConnection.ConnectAsync(port);
        await client.CommandAsync("SET", "idle:key", "v", "EX", "100");

        // A plain command needs no activation; a script runs in one.
        Assert.False(keys.IsActive("idle:key"u8));
        Assert.Equal("$1\r\nv\r\n"u8.ToArray(), await client.CommandAsync("EVAL", "return redis.call('GET', KEYS[1])", "1", "idle:key"));
        Assert.True(keys.IsActive("idle:key"u8));

        // Orleans collects on real time: poll with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (keys.IsActive("idle:key"u8) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(keys.IsActive("idle:key"u8), $"still active after 30 s ({keys.Statistics.Activations} activations)");
        Assert.Equal(0, keys.Statistics.Activations);
        Assert.Equal("$1\r\nv\r\n"u8.ToArray(), await client.CommandAsync("GET", "idle:key"));
        var ttl = await client.CommandAsync("TTL", "idle:key");
        Assert.Matches(@"^:(9[0-9]|100)\r\n$", System.Text.Encoding.ASCII.GetString(ttl));
        await app.StopAsync();
    }
}

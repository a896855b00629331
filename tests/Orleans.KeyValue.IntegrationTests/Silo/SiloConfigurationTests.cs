using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>Bad cluster flags stop the silo at start with a message that names the flag.</summary>
public sealed class SiloConfigurationTests
{
    private static async Task<string> StartFailureAsync(params string[] flags)
    {
        string[] args =
        [
            "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--dashboard-port", "0",
            .. flags,
        ];
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
}

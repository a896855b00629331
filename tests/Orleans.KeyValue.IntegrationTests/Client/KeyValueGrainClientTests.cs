using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Client.Orleans;
using Orleans.KeyValue.IntegrationTests.Fixtures;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>
/// The Orleans client (<see cref="KeyValueGrainClient"/>) against an Orleans silo hosting the key
/// grains: every call crosses the silo's Orleans gateway over TCP, as a service's would.
/// </summary>
public sealed class KeyValueGrainClientTests(OrleansKeyGrainSilo silo) : IClassFixture<OrleansKeyGrainSilo>
{
    private const int Timeout = 60_000;
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(10);

    private KeyValueGrainClient Client => silo.Client;

    private static string Key(string name) => $"orleans:{Guid.NewGuid():N}:{name}";

    [Fact(Timeout = Timeout)]
    public async Task SetNxPx_ThenGetAndTtl_SeeTheValueAndItsDeadline()
    {
        var key = Key("lock");
        Assert.True(await Client.SetAsync(key, "token", KeyExpiry.In(TimeSpan.FromSeconds(30)), SetCondition.IfNotExists));
        Assert.Equal("token", await Client.GetStringAsync(key));
        var ttl = await Client.GetTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.InRange(await Client.TimeToLiveAsync(key), 20, 30);
    }

    [Fact(Timeout = Timeout)]
    public async Task SetNx_OnExistingKey_IsRefusedAndKeepsTheValue()
    {
        var key = Key("nx");
        Assert.True(await Client.SetAsync(key, "first", KeyExpiry.In(TimeSpan.FromSeconds(30)), SetCondition.IfNotExists));
        Assert.False(await Client.SetAsync(key, "second", KeyExpiry.In(TimeSpan.FromSeconds(30)), SetCondition.IfNotExists));
        Assert.Equal("first", await Client.GetStringAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task SetXx_OnMissingKey_IsRefusedAndCreatesNothing()
    {
        var key = Key("xx");
        Assert.False(await Client.SetAsync(key, "value", condition: SetCondition.IfExists));
        Assert.Null(await Client.GetAsync(key));
        Assert.Equal(-2, await Client.TimeToLiveAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task BinaryKeyAndValue_RoundTripExactly()
    {
        // Not UTF-8: a text encoding of the key on the way would change or merge these bytes.
        byte[] key = [0xFF, 0x00, 0xC3, (byte)'\r', (byte)'\n', .. Guid.NewGuid().ToByteArray()];
        byte[] neighbour = [0xFE, .. key[1..]];
        byte[] value = [0x00, 0xFF, 0x80, 0x7F];
        Assert.True(await Client.SetAsync(key, value));
        Assert.Equal(value, await Client.GetAsync(key));
        Assert.Null(await Client.GetAsync(neighbour));
        Assert.True(await Client.DeleteAsync(key));
        Assert.Null(await Client.GetAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task StringKey_IsTheGrainOfItsUtf8Bytes()
    {
        var key = Key("é");
        Assert.True(await Client.SetAsync(key, "v"));
        Assert.Equal("v"u8.ToArray(), await Client.GetAsync(Encoding.UTF8.GetBytes(key)));
    }

    [Fact(Timeout = Timeout)]
    public async Task SetAndGet_ReturnsTheOldValueWhetherOrNotItWrote()
    {
        var key = Key("get");
        Assert.Null(await Client.SetAndGetAsync(key, "one"u8.ToArray()));
        Assert.Equal("one"u8.ToArray(), await Client.SetAndGetAsync(key, "two"u8.ToArray(), condition: SetCondition.IfNotExists));
        Assert.Equal("one", await Client.GetStringAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task KeepTtl_KeepsTheDeadline_AndAPlainSetClearsIt()
    {
        var key = Key("keepttl");
        Assert.True(await Client.SetAsync(key, "a", KeyExpiry.In(TimeSpan.FromSeconds(30))));
        Assert.True(await Client.SetAsync(key, "b", KeyExpiry.Keep));
        Assert.InRange(await Client.TimeToLiveAsync(key), 20, 30);
        Assert.True(await Client.SetAsync(key, "c"));
        Assert.Equal(-1, await Client.TimeToLiveAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task SetPx_KeyIsGoneOnceTheDeadlinePasses()
    {
        var key = Key("px");
        Assert.True(await Client.SetAsync(key, "v", KeyExpiry.In(TimeSpan.FromMilliseconds(100))));
        var clock = Stopwatch.StartNew();
        byte[]? seen;
        while ((seen = await Client.GetAsync(key)) is not null && clock.Elapsed < ExpiryDeadline)
        {
            await Task.Delay(20);
        }

        Assert.True(seen is null, $"the key still held '{(seen is null ? "" : Encoding.UTF8.GetString(seen))}' {clock.Elapsed} after a 100 ms PX");
        Assert.Equal(-2, await Client.TimeToLiveAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task PxAtInThePast_DeletesTheKey()
    {
        var key = Key("pxat");
        Assert.True(await Client.SetAsync(key, "v"));
        Assert.True(await Client.SetAsync(key, "w", KeyExpiry.AtTime(DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.False(await Client.ExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task Delete_CountsTheKeysThatExisted_OnceEach()
    {
        var (a, b) = (Key("a"), Key("b"));
        Assert.True(await Client.SetAsync(a, "1"));
        Assert.True(await Client.SetAsync(b, "2"));
        Assert.Equal(2, await Client.DeleteAsync([a, b, a, Key("missing")]));
        Assert.Equal(0, await Client.DeleteAsync([a, b]));
    }

    [Fact(Timeout = Timeout)]
    public async Task ExpireAndPersist_ChangeTheDeadline()
    {
        var key = Key("expire");
        Assert.False(await Client.ExpireAsync(key, TimeSpan.FromSeconds(30)));
        Assert.True(await Client.SetAsync(key, "v"));
        Assert.True(await Client.ExpireAsync(key, TimeSpan.FromSeconds(30)));
        Assert.InRange(await Client.TimeToLiveAsync(key), 20, 30);
        Assert.True(await Client.PersistAsync(key));
        Assert.Null(await Client.GetTimeToLiveAsync(key));
        Assert.Equal("v"u8.ToArray(), await Client.GetDeleteAsync(key));
        Assert.False(await Client.ExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task ErrorReplies_CarryRedisText_ThroughTheGrainInterface()
    {
        var key = Key("digest");
        Assert.True(await Client.SetAsync(key, "v"));

        // Redis 8.4: a digest that is not 16 characters is an error once the key holds a string.
        var reply = await Client.GetKeyGrain(key).SetAsync(new SetRequest("w"u8.ToArray(), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false, ValueCondition.IfDigestEqual, "short"u8.ToArray()));
        Assert.True(reply.IsError, reply.ToString());
        Assert.StartsWith("ERR ", reply.Text, StringComparison.Ordinal);
        Assert.Equal("v", await Client.GetStringAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task CancelledToken_SendsNothing()
    {
        var key = Key("cancelled");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.SetAsync(key, "v", cancellationToken: cancelled.Token));
        Assert.False(await Client.ExistsAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task HostBuilder_ReadsItsSection_AndGivesTheClientToServices()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyValueOrleans:Gateways:0"] = silo.Gateway,
            ["KeyValueOrleans:ClusterId"] = silo.ClusterId,
        });
        builder.AddKeyValueOrleansClient();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var key = Key("host");
            var client = host.Services.GetRequiredService<KeyValueGrainClient>();
            Assert.True(await client.SetAsync(key, "from a service"));
            Assert.Equal("from a service", await Client.GetStringAsync(key));
            Assert.Equal(KvReply.FromBulk("from a service"), await host.Services.GetRequiredService<IClusterClient>().GetKeyGrain(Encoding.UTF8.GetBytes(key)).GetAsync());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task UnreachableGateway_FailsWithinTheConnectTimeout()
    {
        var options = new KeyValueOrleansClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1) };
        options.Gateways.Add("127.0.0.1:" + Testing.FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => KeyValueGrainClient.ConnectAsync(options));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact(Timeout = Timeout)]
    public async Task OtherClusterId_IsRefusedByTheGateway()
    {
        var options = silo.ClientOptions();
        options.ClusterId = "another-cluster";
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        var exception = await Record.ExceptionAsync(async () =>
        {
            await using var client = await KeyValueGrainClient.ConnectAsync(options);
            await client.GetAsync(Key("other-cluster"));
        });
        // The gateway closes the connection of a client of another cluster; Orleans retries until the connect timeout.
        Assert.IsType<TimeoutException>(exception);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("nonsense")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData(":30000")]
    [InlineData("::1:30000")]
    public Task AddClient_RefusesABadGateway(string gateway)
    {
        var services = new ServiceCollection();
        var exception = Assert.Throws<OptionsValidationException>(() => services.AddKeyValueOrleansClient(o => o.Gateways.Add(gateway)));
        Assert.Contains(gateway, exception.Message, StringComparison.Ordinal);
        return Task.CompletedTask;
    }

    [Fact(Timeout = Timeout)]
    public Task AddClient_RefusesGatewaysAndAConnectionStringTogether()
    {
        var services = new ServiceCollection();
        Assert.Throws<OptionsValidationException>(() => services.AddKeyValueOrleansClient(o =>
        {
            o.Gateways.Add("127.0.0.1:30000");
            o.PostgresConnectionString = "Host=127.0.0.1;Database=kv";
        }));
        return Task.CompletedTask;
    }

    [Fact(Timeout = Timeout)]
    public Task ConnectionString_FindsTheGatewaysInThePostgresMembershipTable()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyValueOrleansClient(o => o.PostgresConnectionString = "Host=127.0.0.1;Database=kv");
        using var provider = services.BuildServiceProvider();
        Assert.Equal("AdoNetGatewayListProvider", provider.GetRequiredService<Messaging.IGatewayListProvider>().GetType().Name);
        var adoNet = provider.GetRequiredService<IOptions<Configuration.AdoNetClusteringClientOptions>>().Value;
        Assert.Equal(("Npgsql", "Host=127.0.0.1;Database=kv"), (adoNet.Invariant, adoNet.ConnectionString));
        return Task.CompletedTask;
    }

    [Theory(Timeout = Timeout)]
    [InlineData("127.0.0.1:30000", "127.0.0.1:30000")]
    [InlineData("localhost:30001", "127.0.0.1:30001")]
    [InlineData("[::1]:30002", "[::1]:30002")]
    public Task Gateway_ResolvesToTheAddressOrleansNeeds(string gateway, string endpoint)
    {
        Assert.Equal([endpoint], GatewayEndpoint.Resolve(gateway).Select(e => e.ToString()));
        return Task.CompletedTask;
    }
}

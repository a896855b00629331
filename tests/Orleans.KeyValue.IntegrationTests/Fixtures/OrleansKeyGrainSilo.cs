using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Orleans.KeyValue.Client.Orleans;
using Orleans.KeyValue.Grains;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>
/// An Orleans silo in this process hosting the key grains (<c>AddKeyGrains</c>), with its Orleans
/// gateway on a free 127.0.0.1 port, and an Orleans client connected to it: what a service
/// using <c>Orleans.KeyValue.Client.Orleans</c> talks to. One per test class.
/// </summary>
public sealed class OrleansKeyGrainSilo : IAsyncLifetime
{
    // A port found free can be taken before the silo binds it; then others are tried.
    private const int PortAttempts = 3;

    private IHost? _silo;

    /// <summary>The silo's cluster id, unique to this fixture.</summary>
    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N");

    /// <summary>The silo's Orleans gateway port.</summary>
    public int GatewayPort { get; private set; }

    /// <summary>The gateway as <c>--gateways</c> and <see cref="KeyValueOrleansClientOptions.Gateways"/> take it.</summary>
    public string Gateway => "127.0.0.1:" + GatewayPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>A client connected through the gateway.</summary>
    public KeyValueGrainClient Client { get; private set; } = null!;

    /// <summary>Client options for this silo.</summary>
    public KeyValueOrleansClientOptions ClientOptions()
    {
        var options = new KeyValueOrleansClientOptions { ClusterId = ClusterId };
        options.Gateways.Add(Gateway);
        return options;
    }

    public async Task InitializeAsync()
    {
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < PortAttempts && _silo is null; attempt++)
        {
            var siloPort = FreePort.Next();
            var gatewayPort = FreePort.Next();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddKeyGrains();
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: KeyValueOrleansClientOptions.DefaultServiceId, clusterId: ClusterId));
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                _silo = host;
                GatewayPort = gatewayPort;
            }
            catch (Exception e)
            {
                failures.Append(CultureInfo.InvariantCulture, $"ports {siloPort}/{gatewayPort}: {e.Message}\n");
                host.Dispose();
                if (attempt == PortAttempts - 1)
                {
                    throw new InvalidOperationException($"The silo did not start in {PortAttempts} attempts:\n{failures}", e);
                }
            }
        }

        Client = await KeyValueGrainClient.ConnectAsync(ClientOptions());
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
    }
}

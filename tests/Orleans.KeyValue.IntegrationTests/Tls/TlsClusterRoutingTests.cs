using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.IntegrationTests.Smoke;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// Two silo processes, each with a plain and a TLS port, over <c>--tls-cluster yes</c>: CLUSTER
/// SLOTS names TLS ports to a client that came in over TLS and plain ports to the others (as
/// Redis 7 does with tls-cluster), so our SDK over TLS routes each key to its owner's TLS port.
/// </summary>
public sealed class TlsClusterRoutingTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);
    private readonly TestCertificates _certificates = new();
    private readonly List<(TlsSiloProcess Silo, int PlainPort)> _silos = [];

    public async Task InitializeAsync()
    {
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..12];
        var seedPort = 0;
        for (var i = 0; i < 2; i++)
        {
            var plain = FreePort.Next();
            var tls = FreePort.Next();
            var siloPort = FreePort.Next();
            List<string> arguments =
            [
                "--port", plain.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dashboard-port", "0",
                "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture),
                "--orleans-gateway-port", "0",
                "--cluster-id", clusterId,
                "--silo-name", "tls" + i.ToString(CultureInfo.InvariantCulture),
                .. _certificates.SiloArguments(tls),
                "--tls-cluster", "yes",
            ];
            if (seedPort > 0)
            {
                arguments.AddRange(["--seeds", "127.0.0.1:" + seedPort.ToString(CultureInfo.InvariantCulture)]);
            }

            _silos.Add((await TlsSiloProcess.StartAsync(_certificates, tls, arguments), plain));
            seedPort = seedPort > 0 ? seedPort : siloPort;
        }

        await WaitForTwoActiveSilosAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var (silo, _) in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    // After DisposeAsync (xunit's order): the silos that read the files are gone.
    public void Dispose() => _certificates.Dispose();

    [Fact(Timeout = 120_000)]
    public async Task ClusterSlots_NamesTlsPortsOverTls_AndPlainPortsOtherwise()
    {
        var overTls = await CliAsync(_silos[0].Silo.TlsPort, _certificates.RedisCliArguments(), ["cluster", "slots"]);
        var plain = await ExternalClients.RedisCliAsync(_silos[0].PlainPort, ["cluster", "slots"]);
        foreach (var (silo, plainPort) in _silos)
        {
            Assert.Contains($"\n{silo.TlsPort.ToString(CultureInfo.InvariantCulture)}\n", overTls, StringComparison.Ordinal);
            Assert.DoesNotContain($"\n{plainPort.ToString(CultureInfo.InvariantCulture)}\n", overTls, StringComparison.Ordinal);
            Assert.Contains($"\n{plainPort.ToString(CultureInfo.InvariantCulture)}\n", plain, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Sdk_OverTls_RoutesKeysToTheirOwnersTlsPorts()
    {
        var options = new KeyValueClientOptions { UseTls = true, TlsClientCertificate = _certificates.Client, ClusterMapRefreshInterval = TimeSpan.FromMilliseconds(100) };
        options.TlsCertificateAuthorities.Add(_certificates.Authority);
        options.Endpoints.Add("127.0.0.1:" + _silos[0].Silo.TlsPort.ToString(CultureInfo.InvariantCulture));
        await using var client = await KeyValueClient.ConnectAsync(options);

        // Keys of many slots, so that some belong to the second silo; poll until the client has
        // read the slot map and opened a routed connection to that silo's TLS port.
        var clock = Stopwatch.StartNew();
        var second = $"laddr=127.0.0.1:{_silos[1].Silo.TlsPort.ToString(CultureInfo.InvariantCulture)} ";
        var clients = string.Empty;
        var round = 0;
        while (clock.Elapsed < SettleTimeout)
        {
            for (var i = 0; i < 32; i++)
            {
                var key = $"tls-routed-{round}-{i}";
                Assert.True(await client.SetAsync(key, "v" + i.ToString(CultureInfo.InvariantCulture)));
                Assert.Equal("v" + i.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync(key));
            }

            clients = await ExternalClients.RedisCliAsync(_silos[1].PlainPort, ["client", "list"]);
            if (clients.Contains(second, StringComparison.Ordinal))
            {
                return;
            }

            round++;
            await Task.Delay(100);
        }

        Assert.Fail($"No routed TLS connection reached the second silo within {SettleTimeout}; its clients:\n{clients}");
    }

    private async Task WaitForTwoActiveSilosAsync()
    {
        var clock = Stopwatch.StartNew();
        var seen = string.Empty;
        while (clock.Elapsed < SettleTimeout)
        {
            var infos = new List<string>();
            foreach (var (_, plain) in _silos)
            {
                await using var connection = await RawRespConnection.ConnectAsync(plain);
                infos.Add(Encoding.UTF8.GetString(await connection.CommandAsync("INFO", "cluster")));
            }

            seen = string.Join(" | ", infos);
            if (infos.All(i => i.Contains("kv_silos_active:2\r\n", StringComparison.Ordinal) && i.Contains("kv_slots_waiting:0\r\n", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The two TLS silos did not settle within {SettleTimeout}: {seen}\n{_silos[0].Silo.Output}\n{_silos[1].Silo.Output}");
    }

    private static async Task<string> CliAsync(int port, IEnumerable<string> tls, IEnumerable<string> command)
    {
        var result = await ProcessRunner.RunAsync(ExternalClients.RedisCliPath, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. tls, .. command], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }
}

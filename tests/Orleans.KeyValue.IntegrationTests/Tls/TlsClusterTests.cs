using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Orleans.KeyValue.Client.Orleans;
using Orleans.KeyValue.IntegrationTests.Cluster;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// <c>--tls-cluster yes</c>: two silo processes form a cluster over TLS (Orleans's silo port
/// speaks TLS with the test CA's certificate) and serve every key from either silo; the Orleans
/// client reaches the gateway over TLS with a client certificate, and not without TLS.
/// </summary>
public sealed class TlsClusterTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    private const int Timeout = 120_000;

    [Fact(Timeout = Timeout)]
    public async Task Cluster_OverTls_Forms_AndServesKeysWrittenOnOneSilo_FromTheOther()
    {
        var silos = fixture.Cluster.LiveSilos;
        var info = await TestCluster.ClusterInfoAsync(silos[1]);
        Assert.Equal("2", info["kv_silos_active"]);

        // Keys of many slots: about half are owned by each silo, so reads cross between them.
        var keys = Enumerable.Range(0, 64).Select(i => $"tls-cluster-{i}-{Guid.NewGuid():N}").ToList();
        await using (var writer = await TestCluster.ConnectAsync(silos[0]))
        {
            foreach (var key in keys)
            {
                Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await writer.CommandAsync("SET", key, "v-" + key)));
            }
        }

        await using var reader = await TestCluster.ConnectAsync(silos[1]);
        foreach (var key in keys)
        {
            var value = "v-" + key;
            Assert.Equal($"${value.Length}\r\n{value}\r\n", Encoding.UTF8.GetString(await reader.CommandAsync("GET", key)));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task SiloPort_SpeaksTls_WithTheConfiguredCertificate()
    {
        var silo = fixture.Cluster.LiveSilos[0];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", silo.SiloPort, timeout.Token);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [fixture.Certificates.Server],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => fixture.Certificates.IsSignedByAuthority(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2),
            },
            timeout.Token);
        Assert.Equal(fixture.Certificates.Server.Thumbprint, ((System.Security.Cryptography.X509Certificates.X509Certificate2)ssl.RemoteCertificate!).Thumbprint); // set once authenticated
    }

    [Fact(Timeout = Timeout)]
    public async Task OrleansClient_OverTls_WithAClientCertificate_SetsAndGets_ThroughTheCluster()
    {
        var options = ClientOptions();
        options.UseTls = true;
        options.TlsCertificateAuthorities.Add(fixture.Certificates.Authority);
        options.TlsClientCertificate = fixture.Certificates.Client;
        await using var client = await KeyValueGrainClient.ConnectAsync(options);
        foreach (var i in Enumerable.Range(0, 16))
        {
            var key = $"tls-orleans-{i}-{Guid.NewGuid():N}";
            Assert.True(await client.SetAsync(key, "through orleans"));
            Assert.Equal("through orleans", await client.GetStringAsync(key));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task OrleansClient_WithoutTls_DoesNotGetIn()
    {
        var options = ClientOptions();
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await KeyValueGrainClient.ConnectAsync(options);
            await client.GetStringAsync("tls-plain-client");
        });
    }

    [Fact(Timeout = Timeout)]
    public async Task OrleansClient_WithTls_ButNoClientCertificate_DoesNotGetIn()
    {
        var options = ClientOptions();
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        options.UseTls = true;
        options.TlsCertificateAuthorities.Add(fixture.Certificates.Authority);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await KeyValueGrainClient.ConnectAsync(options);
            await client.GetStringAsync("tls-no-cert-client");
        });
    }

    [Fact(Timeout = Timeout)]
    public async Task Kv_WithOrleansAndTls_SetsAndGets()
    {
        var key = "tls-kv-orleans-" + Guid.NewGuid().ToString("N");
        var gateways = string.Join(',', fixture.Cluster.LiveSilos.Select(s => "127.0.0.1:" + s.OrleansGatewayPort.ToString(CultureInfo.InvariantCulture)));
        string[] flags = ["--orleans", "--gateways", gateways, "--cluster-id", fixture.Cluster.ClusterId, "--timeout-ms", "20000", "--tls", "--cacert", fixture.Certificates.CaFile, "--cert", fixture.Certificates.ClientCertFile, "--key", fixture.Certificates.ClientKeyFile];
        var set = await Testing.ProcessRunner.RunAsync("dotnet", [Client.KvTool.Path, .. flags, "set", key, "via kv"], TimeSpan.FromSeconds(60));
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await Testing.ProcessRunner.RunAsync("dotnet", [Client.KvTool.Path, .. flags, "get", key], TimeSpan.FromSeconds(60));
        Assert.True(get.StandardOutput == "via kv\n", get.ToString());
    }

    private KeyValueOrleansClientOptions ClientOptions()
    {
        var options = new KeyValueOrleansClientOptions { ClusterId = fixture.Cluster.ClusterId, ConnectTimeout = TimeSpan.FromSeconds(20), ResponseTimeout = TimeSpan.FromSeconds(10) };
        foreach (var silo in fixture.Cluster.LiveSilos)
        {
            options.Gateways.Add("127.0.0.1:" + silo.OrleansGatewayPort.ToString(CultureInfo.InvariantCulture));
        }

        return options;
    }
}

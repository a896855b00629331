using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Smoke;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// redis-cli over TLS against our silo's <c>--tls-port</c>, side by side with a redis-server
/// started with the same certificate flags: the same commands give the same output, and the
/// same mistakes (no TLS, no client certificate, a certificate of another CA) fail on both.
/// </summary>
public sealed class TlsRedisCliTests(TlsServersFixture servers) : IClassFixture<TlsServersFixture>
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(30);

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_OverTls_WithClientCertificate_SetsAndGets_AsRedisDoes()
    {
        var key = "tls-" + Guid.NewGuid().ToString("N");
        foreach (var command in new[] { new[] { "set", key, "hello tls" }, ["get", key], ["strlen", key], ["del", key], ["get", key] })
        {
            var ours = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(), command);
            var theirs = await CliAsync(servers.RedisTlsPort, servers.Certificates.RedisCliArguments(), command);
            Assert.True(ours.ExitCode == 0, ours.ToString());
            Assert.Equal(theirs.StandardOutput, ours.StandardOutput);
        }

        var reply = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(), ["set", key, "v"]);
        Assert.Equal("OK\n", reply.StandardOutput);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_WithoutTls_OnTheTlsPort_Fails_AsOnRedis()
    {
        var ours = await CliAsync(servers.Silo.TlsPort, [], ["ping"]);
        var theirs = await CliAsync(servers.RedisTlsPort, [], ["ping"]);
        Assert.True(theirs.ExitCode != 0, theirs.ToString());
        Assert.True(ours.ExitCode != 0, ours.ToString());
        Assert.DoesNotContain("PONG", ours.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_WithoutClientCertificate_IsRefused_WhenACaIsGiven_AsOnRedis()
    {
        var ours = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(withClientCertificate: false), ["ping"]);
        var theirs = await CliAsync(servers.RedisTlsPort, servers.Certificates.RedisCliArguments(withClientCertificate: false), ["ping"]);
        Assert.True(theirs.ExitCode != 0, theirs.ToString());
        Assert.True(ours.ExitCode != 0, ours.ToString());
        Assert.DoesNotContain("PONG", ours.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task RedisCli_WithACertificateOfAnotherCa_IsRefused_AsOnRedis()
    {
        string[] stranger = ["--tls", "--cacert", servers.Certificates.CaFile, "--cert", servers.Certificates.StrangerCertFile, "--key", servers.Certificates.StrangerKeyFile];
        var ours = await CliAsync(servers.Silo.TlsPort, stranger, ["ping"]);
        var theirs = await CliAsync(servers.RedisTlsPort, stranger, ["ping"]);
        Assert.True(theirs.ExitCode != 0, theirs.ToString());
        Assert.True(ours.ExitCode != 0, ours.ToString());
        Assert.DoesNotContain("PONG", ours.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task PlainPort_KeepsServing_BesideTheTlsPort_OnTheSameKeys()
    {
        var key = "tls-both-" + Guid.NewGuid().ToString("N");
        await ExternalClients.RedisCliAsync(servers.SiloPlainPort, ["set", key, "plain"]);
        var reply = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(), ["get", key]);
        Assert.Equal("plain\n", reply.StandardOutput);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task ConfigGetTlsPort_AndInfoTcpPort_AnswerThePorts()
    {
        var config = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(), ["config", "get", "tls-port"]);
        Assert.Equal($"tls-port\n{servers.Silo.TlsPort.ToString(CultureInfo.InvariantCulture)}\n", config.StandardOutput);
        var redis = await CliAsync(servers.RedisTlsPort, servers.Certificates.RedisCliArguments(), ["config", "get", "tls-port"]);
        Assert.Equal($"tls-port\n{servers.RedisTlsPort.ToString(CultureInfo.InvariantCulture)}\n", redis.StandardOutput);

        var info = await CliAsync(servers.Silo.TlsPort, servers.Certificates.RedisCliArguments(), ["info", "server"]);
        Assert.Contains($"tcp_port:{servers.SiloPlainPort.ToString(CultureInfo.InvariantCulture)}\r\n", info.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Dashboard_AnswersOverHttps_WithTheSameCertificate()
    {
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => servers.Certificates.IsSignedByAuthority(certificate),
        };
        using var http = new HttpClient(handler) { Timeout = CliTimeout };
        var health = await http.GetStringAsync(new Uri($"https://localhost:{servers.SiloDashboardPort.ToString(CultureInfo.InvariantCulture)}/healthz"));
        Assert.Contains("\"status\":\"ok\"", health, StringComparison.Ordinal);

        // Plain HTTP on that port gets no page.
        using var plain = new HttpClient { Timeout = CliTimeout };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync(new Uri($"http://127.0.0.1:{servers.SiloDashboardPort.ToString(CultureInfo.InvariantCulture)}/healthz")));
    }

    private static Task<ProcessResult> CliAsync(int port, IEnumerable<string> tls, IEnumerable<string> command) =>
        ProcessRunner.RunAsync(ExternalClients.RedisCliPath, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. tls, .. command], CliTimeout);
}

using System.Globalization;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.IntegrationTests.Smoke;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// A silo process's <c>--tls-port</c>: redis-cli over TLS side by side with a redis-server
/// started with the same certificate flags (the same commands give the same output, and the
/// same mistakes, no TLS, no client certificate, a certificate of another CA, fail on both);
/// our SDK over TLS; the dashboard over HTTPS.
/// </summary>
public sealed class TlsGatewayTests(TlsServersFixture servers) : IClassFixture<TlsServersFixture>
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

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Sdk_OverTls_TrustingTheCa_WithAClientCertificate_SetsAndGets()
    {
        await using var client = await KeyValueClient.ConnectAsync(SdkOptions(o =>
        {
            o.TlsCertificateAuthorities.Add(servers.Certificates.Authority);
            o.TlsClientCertificate = servers.Certificates.Client;
        }));
        var key = "tls-sdk-" + Guid.NewGuid().ToString("N");
        Assert.True(await client.SetAsync(key, "over tls"));
        Assert.Equal("over tls", await client.GetStringAsync(key));

        // The same key through the plain port: one store behind both.
        var plain = await CliAsync(servers.SiloPlainPort, [], ["get", key]);
        Assert.Equal("over tls\n", plain.StandardOutput);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Sdk_OverTls_WithAPinnedThumbprint_SetsAndGets()
    {
        await using var client = await KeyValueClient.ConnectAsync(SdkOptions(o =>
        {
            o.TlsServerCertificateThumbprint = servers.Certificates.Server.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
            o.TlsClientCertificate = servers.Certificates.Client;
        }));
        var key = "tls-pin-" + Guid.NewGuid().ToString("N");
        Assert.True(await client.SetAsync(key, "pinned"));
        Assert.Equal("pinned", await client.GetStringAsync(key));
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Sdk_WithAnotherPin_RefusesTheServer()
    {
        var error = await Assert.ThrowsAsync<KeyValueConnectionException>(() => KeyValueClient.ConnectAsync(SdkOptions(o =>
        {
            o.TlsServerCertificateThumbprint = servers.Certificates.Authority.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
            o.TlsClientCertificate = servers.Certificates.Client;
        })));
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Sdk_WithoutTheCa_RefusesTheServer_ThatTheSystemDoesNotTrust()
    {
        await Assert.ThrowsAsync<KeyValueConnectionException>(() => KeyValueClient.ConnectAsync(SdkOptions(o => o.TlsClientCertificate = servers.Certificates.Client)));
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Sdk_WithoutAClientCertificate_IsRefused_WhenTheSiloRequiresOne()
    {
        // TLS 1.3 lets the client finish its handshake before the server checks the
        // certificate: the refusal shows on connect or on the first command.
        await Assert.ThrowsAsync<KeyValueConnectionException>(async () =>
        {
            await using var client = await KeyValueClient.ConnectAsync(SdkOptions(o => o.TlsCertificateAuthorities.Add(servers.Certificates.Authority)));
            await client.GetStringAsync("tls-no-cert");
        });
    }

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public async Task Kv_OverTls_WithRedisClisFlags_SetsAndGets()
    {
        var key = "tls-kv-" + Guid.NewGuid().ToString("N");
        string[] flags = ["--port", servers.Silo.TlsPort.ToString(CultureInfo.InvariantCulture), "--tls", "--cacert", servers.Certificates.CaFile, "--cert", servers.Certificates.ClientCertFile, "--key", servers.Certificates.ClientKeyFile];
        var set = await ProcessRunner.RunAsync("dotnet", [Client.KvTool.Path, .. flags, "set", key, "via kv"], CliTimeout);
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await ProcessRunner.RunAsync("dotnet", [Client.KvTool.Path, .. flags, "get", key], CliTimeout);
        Assert.True(get.StandardOutput == "via kv\n", get.ToString());

        // A CA file that is not there is the user's mistake (exit 2), not a connection failure.
        var missing = await ProcessRunner.RunAsync("dotnet", [Client.KvTool.Path, "--port", servers.Silo.TlsPort.ToString(CultureInfo.InvariantCulture), "--tls", "--cacert", Path.Combine(servers.Certificates.Directory, "none.pem"), "get", key], CliTimeout);
        Assert.True(missing.ExitCode == 2, missing.ToString());
    }

    private KeyValueClientOptions SdkOptions(Action<KeyValueClientOptions> configure)
    {
        var options = new KeyValueClientOptions { UseTls = true, ConnectTimeout = TimeSpan.FromSeconds(10) };
        options.Endpoints.Add("127.0.0.1:" + servers.Silo.TlsPort.ToString(CultureInfo.InvariantCulture));
        configure(options);
        return options;
    }

    private static Task<ProcessResult> CliAsync(int port, IEnumerable<string> tls, IEnumerable<string> command) =>
        ProcessRunner.RunAsync(ExternalClients.RedisCliPath, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. tls, .. command], CliTimeout);
}

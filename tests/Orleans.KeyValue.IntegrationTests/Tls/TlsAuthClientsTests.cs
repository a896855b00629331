using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Smoke;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// <c>--tls-auth-clients no</c> and <c>optional</c>, on TLS-only silo processes (<c>--port 0</c>):
/// with <c>no</c> no certificate is asked for; with <c>optional</c> one is asked for, a client
/// without one gets in, and one with a certificate of another CA does not (as Redis does).
/// </summary>
public sealed class TlsAuthClientsTests : IDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(30);
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact(Timeout = 120_000)]
    public async Task AuthClientsNo_ServesClientsWithoutCertificates()
    {
        await using var silo = await StartAsync("no");
        Assert.Equal("PONG\n", (await CliAsync(silo.TlsPort, _certificates.RedisCliArguments(withClientCertificate: false), ["ping"])).StandardOutput);
    }

    [Fact(Timeout = 120_000)]
    public async Task AuthClientsOptional_ServesWithOrWithoutACertificate_ButRefusesOneOfAnotherCa()
    {
        await using var silo = await StartAsync("optional");
        Assert.Equal("PONG\n", (await CliAsync(silo.TlsPort, _certificates.RedisCliArguments(withClientCertificate: false), ["ping"])).StandardOutput);
        Assert.Equal("PONG\n", (await CliAsync(silo.TlsPort, _certificates.RedisCliArguments(), ["ping"])).StandardOutput);
        var stranger = await CliAsync(silo.TlsPort, ["--tls", "--cacert", _certificates.CaFile, "--cert", _certificates.StrangerCertFile, "--key", _certificates.StrangerKeyFile], ["ping"]);
        Assert.True(stranger.ExitCode != 0 && !stranger.StandardOutput.Contains("PONG", StringComparison.Ordinal), stranger.ToString());

        // TLS only: CLUSTER SLOTS announces the TLS port, and INFO's tcp_port is 0 as in Redis.
        var slots = await CliAsync(silo.TlsPort, _certificates.RedisCliArguments(), ["cluster", "slots"]);
        Assert.Contains(silo.TlsPort.ToString(CultureInfo.InvariantCulture), slots.StandardOutput, StringComparison.Ordinal);
        var info = await CliAsync(silo.TlsPort, _certificates.RedisCliArguments(), ["info", "server"]);
        Assert.Contains("tcp_port:0\r\n", info.StandardOutput, StringComparison.Ordinal);
    }

    private async Task<TlsSiloProcess> StartAsync(string authClients)
    {
        var tlsPort = FreePort.Next();
        return await TlsSiloProcess.StartAsync(
            _certificates,
            tlsPort,
            [.. TlsSiloProcess.PortArguments(0), .. _certificates.SiloArguments(tlsPort), "--tls-auth-clients", authClients]);
    }

    private static async Task<ProcessResult> CliAsync(int port, IEnumerable<string> tls, IEnumerable<string> command)
    {
        var result = await ProcessRunner.RunAsync(ExternalClients.RedisCliPath, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. tls, .. command], CliTimeout);
        return result;
    }
}

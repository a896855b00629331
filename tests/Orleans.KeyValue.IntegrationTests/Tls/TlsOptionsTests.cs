using System.Globalization;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>TLS flags the silo refuses at start, with a message naming the flag and file (Build reads them; nothing listens), and the process's exit code.</summary>
public sealed class TlsOptionsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task MissingCertificateFile_IsRefused_NamingTheFlagAndFile()
    {
        var missing = Path.Combine(_certificates.Directory, "missing.pem");
        var message = await RefusedAsync("--tls-port", Port(), "--tls-cert-file", missing, "--tls-key-file", _certificates.ServerKeyFile);
        Assert.Contains("--tls-cert-file", message, StringComparison.Ordinal);
        Assert.Contains(missing, message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task MissingKeyFile_IsRefused() =>
        Assert.Contains("--tls-key-file", await RefusedAsync("--tls-port", Port(), "--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", Path.Combine(_certificates.Directory, "nope.key")), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task KeyOfAnotherCertificate_IsRefused() =>
        Assert.Contains("does not match", await RefusedAsync("--tls-port", Port(), "--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", _certificates.ClientKeyFile), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task CertificateFileThatIsNotPem_IsRefused()
    {
        var garbage = Path.Combine(_certificates.Directory, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate");
        Assert.Contains("--tls-cert-file", await RefusedAsync("--tls-port", Port(), "--tls-cert-file", garbage, "--tls-key-file", _certificates.ServerKeyFile), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task CaFileWithoutCertificates_IsRefused()
    {
        var empty = Path.Combine(_certificates.Directory, "empty-ca.pem");
        File.WriteAllText(empty, string.Empty);
        Assert.Contains("--tls-ca-cert-file", await RefusedAsync([.. _certificates.SiloArguments(FreePort.Next())[..^2], "--tls-ca-cert-file", empty]), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task TlsPortWithoutCertificate_IsRefused() =>
        Assert.Contains("--tls-cert-file", await RefusedAsync("--tls-port", Port()), StringComparison.Ordinal);

    [Theory(Timeout = 30_000)]
    [InlineData("yes")]
    [InlineData("optional")]
    public async Task AuthClientsWithoutCa_IsRefused(string mode) =>
        Assert.Contains("--tls-ca-cert-file", await RefusedAsync("--tls-port", Port(), "--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", _certificates.ServerKeyFile, "--tls-auth-clients", mode), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task AuthClientsOtherThanYesNoOptional_IsRefused() =>
        Assert.Contains("yes, no or optional", await RefusedAsync([.. _certificates.SiloArguments(FreePort.Next()), "--tls-auth-clients", "maybe"]), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task TlsClusterWithoutCa_IsRefused() =>
        Assert.Contains("--tls-cluster", await RefusedAsync("--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", _certificates.ServerKeyFile, "--tls-cluster", "yes"), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task NoPlainPortAndNoTlsPort_IsRefused() =>
        Assert.Contains("--tls-port", await RefusedAsync(["--port", "0"], withPort: false), StringComparison.Ordinal);

    [Fact(Timeout = 30_000)]
    public async Task NoTlsFlags_BuildsAsBefore()
    {
        await using var app = SiloApplication.Build(Arguments([]));
        Assert.NotNull(app);
    }

    [Fact(Timeout = 60_000)]
    public async Task SiloProcess_WithAMissingCertificate_ExitsNonZero_SayingWhy()
    {
        var missing = Path.Combine(_certificates.Directory, "missing.pem");
        var result = await TlsSiloProcess.RunToExitAsync(
            [.. TlsSiloProcess.PortArguments(FreePort.Next()), "--tls-port", Port(), "--tls-cert-file", missing, "--tls-key-file", _certificates.ServerKeyFile],
            TimeSpan.FromSeconds(45));
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"The silo cannot start: --tls-cert-file {missing}: no such file.", result.StandardError, StringComparison.Ordinal);
    }

    private static string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);

    private static Task<string> RefusedAsync(params string[] flags) => RefusedAsync(flags, withPort: true);

    private static async Task<string> RefusedAsync(string[] flags, bool withPort)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Arguments(flags, withPort))));
        return error.Message;
    }

    private static string[] Arguments(string[] flags, bool withPort = true) =>
    [
        .. withPort ? new[] { "--port", Port() } : [],
        "--silo-port", Port(),
        "--dashboard-port", "0",
        .. flags,
    ];
}

using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// One PKI, one silo process and one redis-server, both with a plain port and a TLS port that
/// requires a client certificate signed by the test CA (Redis's default with a CA); the silo
/// also serves its dashboard, over HTTPS since a certificate is given.
/// </summary>
public sealed class TlsServersFixture : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();

    public TlsSiloProcess Silo { get; private set; } = null!; // set in InitializeAsync, before any test

    public int SiloPlainPort { get; private set; }

    public int SiloDashboardPort { get; private set; }

    public RedisServerProcess Redis { get; private set; } = null!; // set in InitializeAsync, before any test

    public int RedisTlsPort { get; private set; }

    public async Task InitializeAsync()
    {
        SiloPlainPort = FreePort.Next();
        SiloDashboardPort = FreePort.Next();
        var tlsPort = FreePort.Next();
        Silo = await TlsSiloProcess.StartAsync(Certificates, tlsPort, [.. TlsSiloProcess.PortArguments(SiloPlainPort, SiloDashboardPort), .. Certificates.SiloArguments(tlsPort)]);

        RedisTlsPort = FreePort.Next();
        Redis = await RedisServerProcess.StartAsync(Certificates.SiloArguments(RedisTlsPort));
    }

    public async Task DisposeAsync()
    {
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        Certificates.Dispose();
    }
}

using Orleans.KeyValue.IntegrationTests.Cluster;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>Two silo processes started with <c>--tls-cluster yes</c> and the test PKI: silo-to-silo and Orleans gateway traffic over TLS.</summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();

    public TestCluster Cluster { get; private set; } = null!; // set in InitializeAsync, before any test

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(2, new TestClusterOptions
        {
            Processes = true,
            ExtraArguments =
            [
                "--tls-cert-file", Certificates.ServerCertFile,
                "--tls-key-file", Certificates.ServerKeyFile,
                "--tls-ca-cert-file", Certificates.CaFile,
                "--tls-cluster", "yes",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Certificates.Dispose();
    }
}

using Microsoft.Extensions.Hosting;

namespace Orleans.KeyValue.Silo.Clustering;

/// <summary>
/// Makes sure PostgreSQL holds the tables and queries Orleans's ADO.NET clustering reads, before
/// Orleans starts; a silo that cannot reach PostgreSQL fails to start (and exits non-zero).
/// </summary>
internal sealed class PostgresClusteringStartup(string connectionString) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => PostgresClusteringSchema.EnsureAsync(connectionString, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

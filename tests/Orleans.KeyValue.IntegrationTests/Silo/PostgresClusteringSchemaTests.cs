using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.KeyValue.Silo.Clustering;
using Orleans.KeyValue.Testing;
using Orleans.Runtime.MembershipService;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>
/// Our PostgreSQL schema against the real ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet)
/// and a real PostgreSQL (<c>bash tools/postgres.sh</c> starts one; <c>KV_TEST_POSTGRES</c> points
/// elsewhere). Every test gets a schema of its own, standing for an empty database (role kv may not
/// create databases), and drops it afterwards. When PostgreSQL is not reachable these tests fail:
/// they never skip silently.
/// </summary>
public sealed class PostgresClusteringSchemaTests : IAsyncLifetime, IDisposable
{
    private const string ConnectionStringVariable = "KV_TEST_POSTGRES";
    private const string DefaultConnectionString = "Host=127.0.0.1;Username=kv;Password=kv;Database=kv";
    private const int TestTimeout = 60_000;
    private const string ServiceId = "kv-clustering-schema-tests";

    // SiloStatus as the table stores it.
    private const int Active = 3;
    private const int Dead = 6;

    private static readonly TimeSpan StatusDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _timeout = new(TestTimeout);
    private readonly string _schema = "kv_test_" + Guid.NewGuid().ToString("N");
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N");
    private readonly List<IHost> _silos = [];

    private static string BaseConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } configured ? configured : DefaultConnectionString;

    /// <summary>The test's own schema first on the search path: where the schema script creates everything.</summary>
    private string ConnectionString => new NpgsqlConnectionStringBuilder(BaseConnectionString) { SearchPath = _schema }.ConnectionString;

    private CancellationToken Cancellation => _timeout.Token;

    public async Task InitializeAsync() =>
        // An identifier cannot be a parameter; the name is ours (a Guid), not input.
        await ExecuteAsync(BaseConnectionString, $"CREATE SCHEMA {_schema}", Cancellation);

    public async Task DisposeAsync()
    {
        // Its own deadline: the test's may have run out, and the schema must go anyway.
        using var cleanup = new CancellationTokenSource(TestTimeout);
        foreach (var silo in _silos)
        {
            await silo.StopAsync(cleanup.Token);
            silo.Dispose();
        }

        await ExecuteAsync(BaseConnectionString, $"DROP SCHEMA IF EXISTS {_schema} CASCADE", cleanup.Token);
    }

    /// <summary>Runs after <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => _timeout.Dispose();

    [Fact(Timeout = TestTimeout)]
    public async Task EnsureAsync_Twice_Succeeds()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);

        Assert.Equal(PostgresClusteringSchema.QueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EnsureAsync_FourAtOnceOnAnEmptyDatabase_Succeeds()
    {
        // Silos of one cluster start together: without the advisory lock, concurrent
        // CREATE TABLE IF NOT EXISTS fails with unique_violation on pg_type.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation)));

        Assert.Equal(PostgresClusteringSchema.QueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync());
    }

    /// <summary>The keys Microsoft.Orleans.Clustering.AdoNet 10.4.2 reads (its DbStoredQueries), written out here so that a key dropped from the schema fails by name.</summary>
    [Theory(Timeout = TestTimeout)]
    [InlineData("InsertMembershipVersionKey")]
    [InlineData("MembershipReadAllKey")]
    [InlineData("MembershipReadRowKey")]
    [InlineData("InsertMembershipKey")]
    [InlineData("UpdateMembershipKey")]
    [InlineData("UpdateIAmAlivetimeKey")]
    [InlineData("GatewaysQueryKey")]
    [InlineData("DeleteMembershipTableEntriesKey")]
    [InlineData("CleanupDefunctSiloEntriesKey")]
    [InlineData("CleanupDefunctSiloEntryKey")]
    public async Task EnsureAsync_CreatesTheQueryTheProviderReads(string queryKey)
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);

        Assert.Contains(queryKey, await QueryKeysAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EnsureAsync_CreatesEveryQueryTheInstalledProviderRequires()
    {
        // The provider checks its stored queries against the properties of its internal
        // DbStoredQueries at start: reading them here catches a key a newer Orleans adds.
        // '!': with throwOnError GetType throws rather than return null.
        var storedQueries = typeof(AdoNetClusteringTable).Assembly.GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;
        var required = storedQueries.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).ToList();

        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);

        Assert.NotEmpty(required);
        Assert.Empty(required.Except(await QueryKeysAsync()));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EnsureAsync_OnAnExistingSchema_RestoresChangedQueriesAndKeepsMembers()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(40_001), (await table.ReadAllAsync(Cancellation)).Version.Next(), Cancellation));
        await ExecuteAsync(ConnectionString, "UPDATE OrleansQuery SET QueryText = 'SELECT 1' WHERE QueryKey = 'GatewaysQueryKey'", Cancellation);
        await ExecuteAsync(ConnectionString, "DELETE FROM OrleansQuery WHERE QueryKey = 'MembershipReadRowKey'", Cancellation);

        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);

        Assert.Equal(PostgresClusteringSchema.QueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync());
        Assert.DoesNotContain("SELECT 1", await QueryTextAsync("GatewaysQueryKey"), StringComparison.Ordinal);
        var snapshot = await (await CreateTableAsync()).ReadAllAsync(Cancellation);
        Assert.Equal(1, snapshot.Version.Version);
        Assert.Single(snapshot.Members);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EnsureAsync_WhenPostgresIsUnreachable_NamesHostAndPortButNotThePassword()
    {
        var port = FreePort.Next();
        var unreachable = $"Host=127.0.0.1;Port={port};Username=kv;Password=not-to-be-shown;Database=kv;Timeout=5";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresClusteringSchema.EnsureAsync(unreachable, Cancellation));

        Assert.Contains($"PostgreSQL could not be reached at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-to-be-shown", error.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task MembershipWrites_AtAStaleVersionOrOfAnExistingRow_ChangeNothing()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);
        var table = await CreateTableAsync();
        var initial = await table.ReadAllAsync(Cancellation);
        var entry = Entry(40_001);
        Assert.True(await table.InsertRowAsync(entry, initial.Version.Next(), Cancellation));

        Assert.False(await table.InsertRowAsync(Entry(40_011), initial.Version.Next(), Cancellation));
        var current = await table.ReadAllAsync(Cancellation);
        Assert.False(await table.InsertRowAsync(entry, current.Version.Next(), Cancellation));
        Assert.False(await table.UpdateRowAsync(entry, initial.Version.VersionEtag, initial.Version.Next(), Cancellation));

        var after = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, after.Version.Version);
        Assert.Equal(entry.SiloAddress, Assert.Single(after.Members).Item1.SiloAddress);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConcurrentMembershipUpdates_AtOneVersion_OnlyOneWins()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry(40_001), (await table.ReadAllAsync(Cancellation)).Version.Next(), Cancellation));
        var read = await table.ReadAllAsync(Cancellation);
        var etag = Assert.Single(read.Members).Item2;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
        {
            var update = Entry(40_001);
            update.Status = SiloStatus.Active;
            return table.UpdateRowAsync(update, etag, read.Version.Next(), Cancellation);
        }));

        Assert.Single(results, won => won);
        Assert.Equal(2, (await table.ReadAllAsync(Cancellation)).Version.Version);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Silo_WithAdoNetClustering_SeesItselfActive()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);

        var silo = await StartSiloAsync();

        var self = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var status = await WaitForStatusAsync(self, Active);
        Assert.True(status == Active, $"silo {self} has status {status?.ToString() ?? "(no row)"} in OrleansMembershipTable, expected {Active} (Active)");
        var hosts = await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(SiloStatus.Active, Assert.Single(hosts).Value);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Silo_StoppedCleanly_IsDeadInTheTable()
    {
        await PostgresClusteringSchema.EnsureAsync(ConnectionString, Cancellation);
        var silo = await StartSiloAsync();
        var self = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        Assert.Equal(Active, await WaitForStatusAsync(self, Active));

        await silo.StopAsync(Cancellation);

        var status = await WaitForStatusAsync(self, Dead);
        Assert.True(status == Dead, $"stopped silo {self} has status {status?.ToString() ?? "(no row)"}, expected {Dead} (Dead)");
    }

    private async Task<IHost> StartSiloAsync()
    {
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        var connectionString = ConnectionString;
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleans(silo => silo
                .UseAdoNetClustering(options =>
                {
                    options.Invariant = "Npgsql";
                    options.ConnectionString = connectionString;
                })
                .Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = _clusterId;
                    options.ServiceId = ServiceId;
                })
                .Configure<EndpointOptions>(options =>
                {
                    options.AdvertisedIPAddress = IPAddress.Loopback;
                    options.SiloPort = siloPort;
                    options.GatewayPort = gatewayPort;
                }))
            .Build();
        _silos.Add(host);
        await host.StartAsync(Cancellation);
        return host;
    }

    /// <summary>Polls the silo's row until it has <paramref name="expected"/> status or the deadline passes; returns the last status seen (null: no row).</summary>
    private async Task<int?> WaitForStatusAsync(SiloAddress silo, int expected)
    {
        var deadline = DateTime.UtcNow + StatusDeadline;
        while (true)
        {
            var status = await StatusAsync(silo);
            if (status == expected || DateTime.UtcNow >= deadline)
            {
                return status;
            }

            await Task.Delay(PollInterval, Cancellation);
        }
    }

    private async Task<int?> StatusAsync(SiloAddress silo)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Address = @address AND Port = @port AND Generation = @generation",
            connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        command.Parameters.AddWithValue("port", silo.Endpoint.Port);
        command.Parameters.AddWithValue("generation", silo.Generation);
        return await command.ExecuteScalarAsync(Cancellation) is int status ? status : null;
    }

    /// <summary>The provider's own table class on this test's schema and cluster, version row made.</summary>
    private async Task<AdoNetClusteringTable> CreateTableAsync()
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Cancellation);
        return table;
    }

    private static MembershipEntry Entry(int port)
    {
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = SiloStatus.Joining,
            ProxyPort = port + 1,
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    private async Task<List<string>> QueryKeysAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        var keys = new List<string>();
        while (await reader.ReadAsync(Cancellation))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private async Task<string> QueryTextAsync(string queryKey)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection);
        command.Parameters.AddWithValue("key", queryKey);
        return (string)(await command.ExecuteScalarAsync(Cancellation) ?? throw new InvalidOperationException($"No query {queryKey}."));
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

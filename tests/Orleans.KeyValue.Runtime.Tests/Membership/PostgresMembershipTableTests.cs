using Npgsql;
using Orleans.KeyValue.Runtime.Membership;

namespace Orleans.KeyValue.Runtime.Tests.Membership;

/// <summary>
/// The conformance tests against a real PostgreSQL (<c>bash tools/postgres.sh</c> starts one),
/// plus what only a shared database shows. Every test uses its own cluster id and deletes its
/// rows afterwards, so runs neither interfere nor pile up. When PostgreSQL is not reachable
/// these tests fail, saying how to start it: they never skip silently.
/// </summary>
public sealed class PostgresMembershipTableTests : MembershipTableConformanceTests
{
    private const string ConnectionStringVariable = "KV_TEST_POSTGRES";
    private const string DefaultConnectionString = "Host=127.0.0.1;Username=kv;Password=kv;Database=kv";

    private readonly List<PostgresMembershipTable> _tables = [];
    private readonly List<string> _schemas = [];

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } configured ? configured : DefaultConnectionString;

    protected override async Task<IMembershipTable> CreateTableAsync() =>
        await CreatePostgresTableAsync(ConnectionString, NewClusterId());

    public override async Task DisposeAsync()
    {
        try
        {
            // Its own deadline: the test's may have run out, and the rows must go anyway.
            using var cleanup = new CancellationTokenSource(TestTimeout);
            foreach (var table in _tables)
            {
                await table.DeleteClusterAsync(cleanup.Token);
            }

            foreach (var schema in _schemas)
            {
                await using var connection = await OpenAsync(ConnectionString, cleanup.Token);
                // An identifier cannot be a parameter; the name is ours (NewSchemaName), not input.
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
                await drop.ExecuteNonQueryAsync(cleanup.Token);
            }
        }
        finally
        {
            await base.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Timestamps_AreStoredToTheMillisecond_AndReadBackInUtc()
    {
        var table = await CreateTableAsync();
        var start = new DateTimeOffset(2025, 3, 14, 17, 9, 26, TimeSpan.FromHours(2)).AddTicks(5_359_999);
        var alive = start.AddTicks(1);
        var vote = start.AddTicks(-5_000);
        var entry = Entry("10.0.0.1") with
        {
            StartTime = start,
            IAmAliveTime = alive,
            Suspicions = [new SuspectVote(new SiloAddress("10.0.0.2", 11111, 2), vote)],
        };
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));

        var read = Assert.Single((await table.ReadAllAsync(Cancellation)).Rows).Entry;

        Assert.Equal(new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero), read.StartTime);
        Assert.Equal(TimeSpan.Zero, read.StartTime.Offset);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 15, 9, 26, 536, TimeSpan.Zero), read.IAmAliveTime);
        Assert.Equal(TimeSpan.Zero, read.IAmAliveTime.Offset);
        Assert.Equal(read.StartTime, Assert.Single(read.Suspicions).Time);
        Assert.Equal(TimeSpan.Zero, read.Suspicions[0].Time.Offset);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ClustersSharingADatabase_SeeOnlyTheirOwnRowsAndVersions()
    {
        var first = await CreateTableAsync();
        var second = await CreateTableAsync();
        Assert.True(await first.InsertRowAsync(Entry("10.0.0.1"), 0, Cancellation));
        Assert.True(await first.InsertRowAsync(Entry("10.0.0.2"), 1, Cancellation));

        // The same silo address in another cluster is another row.
        Assert.True(await second.InsertRowAsync(Entry("10.0.0.1"), 0, Cancellation));

        var firstSnapshot = await first.ReadAllAsync(Cancellation);
        var secondSnapshot = await second.ReadAllAsync(Cancellation);
        Assert.Equal(2, firstSnapshot.Version);
        Assert.Equal(2, firstSnapshot.Rows.Count);
        Assert.Equal(1, secondSnapshot.Version);
        Assert.Single(secondSnapshot.Rows);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConcurrentInitialize_OfAnEmptyDatabase_Succeeds()
    {
        // A schema of its own stands for an empty database: the tables do not exist yet, so
        // the silos really race to create them.
        var schema = NewSchemaName();
        await using (var connection = await OpenAsync(ConnectionString, Cancellation))
        {
            _schemas.Add(schema);
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync(Cancellation);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
        var clusterIds = Enumerable.Range(0, 4).Select(_ => NewClusterId()).ToArray();
        var tables = Enumerable.Range(0, 8).Select(i => new PostgresMembershipTable(connectionString, clusterIds[i % clusterIds.Length])).ToArray();

        await Task.WhenAll(tables.Select(t => t.InitializeAsync(Cancellation)));

        foreach (var table in tables)
        {
            var snapshot = await table.ReadAllAsync(Cancellation);
            Assert.Equal(0, snapshot.Version);
            Assert.Empty(snapshot.Rows);
        }

        Assert.True(await tables[0].InsertRowAsync(Entry("10.0.0.1"), 0, Cancellation));
        Assert.Equal(1, (await tables[clusterIds.Length].ReadAllAsync(Cancellation)).Version);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task InitializeAsync_Twice_KeepsTheRowsAndVersion()
    {
        var table = (PostgresMembershipTable)await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry("10.0.0.1"), 0, Cancellation));

        await table.InitializeAsync(Cancellation);

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, snapshot.Version);
        Assert.Single(snapshot.Rows);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ReadAll_OfAClusterNeverInitialized_Throws()
    {
        await CreateTableAsync(); // the tables exist; this cluster has no version row
        var table = new PostgresMembershipTable(ConnectionString, NewClusterId());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.ReadAllAsync(Cancellation));

        Assert.Contains(table.ClusterId, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateRow_WithAnETagThisTableNeverWrote_Fails()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));

        Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, "not-an-etag", 1, Cancellation));

        Assert.Equal(1, (await table.ReadAllAsync(Cancellation)).Version);
    }

    private async Task<PostgresMembershipTable> CreatePostgresTableAsync(string connectionString, string clusterId)
    {
        var table = new PostgresMembershipTable(connectionString, clusterId);
        try
        {
            await table.InitializeAsync(Cancellation);
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            throw Unreachable(connectionString, ex);
        }

        _tables.Add(table);
        return table;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            await connection.DisposeAsync();
            throw Unreachable(connectionString, ex);
        }
    }

    // No server (socket errors, timeouts), or a server without our role or database
    // (invalid_password, invalid_authorization_specification, invalid_catalog_name): all
    // what tools/postgres.sh sets up. Other server errors are bugs and stay as they are.
    private static bool IsUnreachable(NpgsqlException ex) =>
        ex is not PostgresException postgres ||
        postgres.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidCatalogName;

    private static InvalidOperationException Unreachable(string connectionString, NpgsqlException ex)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return new InvalidOperationException(
            $"PostgreSQL is not reachable for the membership table tests (Host={settings.Host};Port={settings.Port};" +
            $"Username={settings.Username};Database={settings.Database}): {ex.Message}. " +
            $"Run 'bash tools/postgres.sh' (as root) to start a local PostgreSQL with role kv, password kv and " +
            $"database kv, or set {ConnectionStringVariable} to a connection string of a reachable server.",
            ex);
    }

    private static string NewClusterId() => "test-" + Guid.NewGuid().ToString("N");

    private static string NewSchemaName() => "kv_test_" + Guid.NewGuid().ToString("N");
}

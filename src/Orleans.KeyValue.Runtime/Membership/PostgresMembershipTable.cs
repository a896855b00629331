using System.Buffers;
using System.Data;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// The membership table in PostgreSQL. Several clusters can share one database: every row
/// belongs to a cluster id, and each cluster has its own version row. Timestamps are stored
/// as <c>timestamptz</c> truncated to milliseconds and read back in UTC.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable
{
    internal const string VersionTable = "kv_membership_version";
    internal const string MembersTable = "kv_membership_members";

    // Silos of one cluster start together and all initialize the table: a concurrent
    // CREATE TABLE IF NOT EXISTS can still fail with unique_violation (on pg_type) or
    // duplicate_table. The advisory lock serializes our own initializers; the retry covers
    // anyone else who creates the tables without it.
    private const string InitializeLockKey = "5428611360885982546"; // 0x4B564D454D424552, "KVMEMBER"
    private const int InitializeAttempts = 3;

    private const string CreateSql = $"""
        SELECT pg_advisory_xact_lock({InitializeLockKey});
        CREATE TABLE IF NOT EXISTS {VersionTable} (
            cluster_id text PRIMARY KEY,
            version bigint NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {MembersTable} (
            cluster_id text NOT NULL,
            silo text NOT NULL,
            host text NOT NULL,
            port integer NOT NULL,
            generation bigint NOT NULL,
            gateway_port integer NOT NULL,
            name text NOT NULL,
            status integer NOT NULL,
            start_time timestamptz NOT NULL,
            i_am_alive_time timestamptz NOT NULL,
            suspicions jsonb NOT NULL,
            etag bigint NOT NULL,
            PRIMARY KEY (cluster_id, silo)
        );
        """;

    private const string InsertVersionSql = $"""
        INSERT INTO {VersionTable} (cluster_id, version) VALUES (@cluster_id, 0)
        ON CONFLICT (cluster_id) DO NOTHING
        """;

    // One statement, so one snapshot: the version and the rows are consistent. The left join
    // keeps the version row when the cluster has no members.
    private const string ReadAllSql = $"""
        SELECT v.version, m.host, m.port, m.generation, m.gateway_port, m.name, m.status,
               m.start_time, m.i_am_alive_time, m.suspicions, m.etag
        FROM {VersionTable} v
        LEFT JOIN {MembersTable} m ON m.cluster_id = v.cluster_id
        WHERE v.cluster_id = @cluster_id
        """;

    // The new version doubles as the row's etag: versions only grow, so an etag is never
    // reused within a cluster, even for a silo whose row was cleaned up and inserted again.
    private const string BumpVersionSql = $"""
        UPDATE {VersionTable} SET version = version + 1
        WHERE cluster_id = @cluster_id AND version = @expected_version
        RETURNING version
        """;

    private const string InsertRowSql = $"""
        INSERT INTO {MembersTable} (cluster_id, silo, host, port, generation, gateway_port, name, status,
                                    start_time, i_am_alive_time, suspicions, etag)
        VALUES (@cluster_id, @silo, @host, @port, @generation, @gateway_port, @name, @status,
                @start_time, @i_am_alive_time, @suspicions, @new_etag)
        ON CONFLICT (cluster_id, silo) DO NOTHING
        """;

    private const string UpdateRowSql = $"""
        UPDATE {MembersTable}
        SET gateway_port = @gateway_port, name = @name, status = @status, start_time = @start_time,
            i_am_alive_time = @i_am_alive_time, suspicions = @suspicions, etag = @new_etag
        WHERE cluster_id = @cluster_id AND silo = @silo AND etag = @etag
        """;

    private const string UpdateIAmAliveSql = $"""
        UPDATE {MembersTable} SET i_am_alive_time = @i_am_alive_time
        WHERE cluster_id = @cluster_id AND silo = @silo
        """;

    private const string CleanupDeadSql = $"""
        DELETE FROM {MembersTable}
        WHERE cluster_id = @cluster_id AND status = @dead AND i_am_alive_time < @before
        """;

    private const string DeleteClusterSql = $"""
        DELETE FROM {MembersTable} WHERE cluster_id = @cluster_id;
        DELETE FROM {VersionTable} WHERE cluster_id = @cluster_id;
        """;

    private readonly string _connectionString;
    private readonly string _clusterId;

    /// <summary>A table for the cluster <paramref name="clusterId"/> in the database of <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string; connections are pooled by Npgsql.</param>
    /// <param name="clusterId">The cluster whose rows this table reads and writes.</param>
    public PostgresMembershipTable(string connectionString, string clusterId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        _connectionString = connectionString;
        _clusterId = clusterId;
    }

    /// <summary>The cluster whose rows this table reads and writes.</summary>
    public string ClusterId => _clusterId;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var create = new NpgsqlCommand(CreateSql, connection, transaction))
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (PostgresException ex) when (attempt < InitializeAttempts &&
                ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Someone else created the tables between our check and our insert; by now
                // they have committed (a unique check waits for the other transaction), so
                // IF NOT EXISTS sees them on the next attempt.
            }
        }

        await using var insert = new NpgsqlCommand(InsertVersionSql, connection);
        insert.Parameters.Add(ClusterIdParameter());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadAllSql, connection);
        command.Parameters.Add(ClusterIdParameter());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        long? version = null;
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                continue; // the left join's row for a cluster without members
            }

            var entry = new MembershipEntry
            {
                Silo = new SiloAddress(reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3)),
                GatewayPort = reader.GetInt32(4),
                Name = reader.GetString(5),
                Status = (SiloStatus)reader.GetInt32(6),
                StartTime = reader.GetFieldValue<DateTimeOffset>(7),
                IAmAliveTime = reader.GetFieldValue<DateTimeOffset>(8),
                Suspicions = ReadSuspicions(reader.GetString(9)),
            };
            rows.Add(new MembershipRow(entry, FormatETag(reader.GetInt64(10))));
        }

        if (version is null)
        {
            throw new InvalidOperationException(
                $"The membership table has no version row for cluster '{_clusterId}'; call {nameof(InitializeAsync)} first.");
        }

        return new MembershipSnapshot(version.Value, rows);
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteRowAsync(InsertRowSql, entry, etag: null, expectedVersion, cancellationToken);
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        if (!long.TryParse(etag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var etagValue))
        {
            return Task.FromResult(false); // not an etag this table wrote, so not the row's
        }

        return WriteRowAsync(UpdateRowSql, entry, etagValue, expectedVersion, cancellationToken);
    }

    public async Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(UpdateIAmAliveSql, connection);
        command.Parameters.Add(ClusterIdParameter());
        command.Parameters.Add(new NpgsqlParameter<string>("silo", NpgsqlDbType.Text) { TypedValue = silo.ToString() });
        command.Parameters.Add(TimeParameter("i_am_alive_time", time));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CleanupDeadAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(CleanupDeadSql, connection);
        command.Parameters.Add(ClusterIdParameter());
        command.Parameters.Add(new NpgsqlParameter<int>("dead", NpgsqlDbType.Integer) { TypedValue = (int)SiloStatus.Dead });
        command.Parameters.Add(TimeParameter("before", before));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every row of this cluster, its version included (tests and decommissioning).</summary>
    internal async Task DeleteClusterAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(DeleteClusterSql, connection);
        command.Parameters.Add(ClusterIdParameter());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The compare-and-swap: bump the version if it is still <paramref name="expectedVersion"/>,
    /// then write the row (insert if absent, or update if its etag is still <paramref name="etag"/>);
    /// commit only if both changed exactly one row. A concurrent writer waits on the version
    /// row's lock and then finds the version changed, so of writers that read the same version
    /// exactly one succeeds.
    /// </summary>
    private async Task<bool> WriteRowAsync(string rowSql, MembershipEntry entry, long? etag, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Disposing without a commit rolls back.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

        long newVersion;
        await using (var bump = new NpgsqlCommand(BumpVersionSql, connection, transaction))
        {
            bump.Parameters.Add(ClusterIdParameter());
            bump.Parameters.Add(new NpgsqlParameter<long>("expected_version", NpgsqlDbType.Bigint) { TypedValue = expectedVersion });
            if (await bump.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long bumped)
            {
                return false; // the table moved on (or the cluster was never initialized)
            }

            newVersion = bumped;
        }

        await using (var write = new NpgsqlCommand(rowSql, connection, transaction))
        {
            var silo = entry.Silo;
            var parameters = write.Parameters;
            parameters.Add(ClusterIdParameter());
            parameters.Add(new NpgsqlParameter<string>("silo", NpgsqlDbType.Text) { TypedValue = silo.ToString() });
            parameters.Add(new NpgsqlParameter<string>("host", NpgsqlDbType.Text) { TypedValue = silo.Host });
            parameters.Add(new NpgsqlParameter<int>("port", NpgsqlDbType.Integer) { TypedValue = silo.Port });
            parameters.Add(new NpgsqlParameter<long>("generation", NpgsqlDbType.Bigint) { TypedValue = silo.Generation });
            parameters.Add(new NpgsqlParameter<int>("gateway_port", NpgsqlDbType.Integer) { TypedValue = entry.GatewayPort });
            parameters.Add(new NpgsqlParameter<string>("name", NpgsqlDbType.Text) { TypedValue = entry.Name });
            parameters.Add(new NpgsqlParameter<int>("status", NpgsqlDbType.Integer) { TypedValue = (int)entry.Status });
            parameters.Add(TimeParameter("start_time", entry.StartTime));
            parameters.Add(TimeParameter("i_am_alive_time", entry.IAmAliveTime));
            parameters.Add(new NpgsqlParameter<string>("suspicions", NpgsqlDbType.Jsonb) { TypedValue = WriteSuspicions(entry.Suspicions) });
            parameters.Add(new NpgsqlParameter<long>("new_etag", NpgsqlDbType.Bigint) { TypedValue = newVersion });
            if (etag is { } expectedETag)
            {
                parameters.Add(new NpgsqlParameter<long>("etag", NpgsqlDbType.Bigint) { TypedValue = expectedETag });
            }

            if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false; // insert: the silo has a row; update: no row, or its etag changed
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NpgsqlParameter<string> ClusterIdParameter() =>
        new("cluster_id", NpgsqlDbType.Text) { TypedValue = _clusterId };

    // timestamptz keeps microseconds; truncating to milliseconds makes what is read back
    // equal what was written whatever the source clock's resolution. Npgsql takes only UTC.
    private static NpgsqlParameter<DateTimeOffset> TimeParameter(string name, DateTimeOffset time) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = TruncateToMilliseconds(time) };

    internal static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static string FormatETag(long etag) => etag.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // [{"voter":"host:port@generation","time":<Unix milliseconds>}, ...]
    private static string WriteSuspicions(IReadOnlyList<SuspectVote> votes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var vote in votes)
            {
                writer.WriteStartObject();
                writer.WriteString("voter", vote.Voter.ToString());
                writer.WriteNumber("time", vote.Time.ToUnixTimeMilliseconds());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static SuspectVote[] ReadSuspicions(string json)
    {
        using var document = JsonDocument.Parse(json);
        var votes = new SuspectVote[document.RootElement.GetArrayLength()];
        var i = 0;
        foreach (var vote in document.RootElement.EnumerateArray())
        {
            votes[i++] = new SuspectVote(
                SiloAddress.Parse(vote.GetProperty("voter").GetString() ?? ""),
                DateTimeOffset.FromUnixTimeMilliseconds(vote.GetProperty("time").GetInt64()));
        }

        return votes;
    }
}

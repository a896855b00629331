using System.Net.Sockets;
using Npgsql;

namespace Orleans.KeyValue.Silo.Clustering;

/// <summary>
/// Makes a PostgreSQL database ready for Orleans's ADO.NET clustering provider
/// (<c>UseAdoNetClustering</c> with invariant <c>Npgsql</c>): its membership tables and the
/// <c>OrleansQuery</c> rows it reads its SQL from. The package ships none of it.
/// </summary>
/// <remarks>
/// The SQL is the embedded file <c>PostgresClustering.sql</c>, kept as a file so that an operator
/// can read it and run it by hand with psql; it is idempotent and takes an advisory lock, so every
/// silo can run it at start, several at once.
/// </remarks>
internal static class PostgresClusteringSchema
{
    /// <summary>The manifest name of the SQL file (set in the project file, not derived).</summary>
    internal const string ResourceName = "Orleans.KeyValue.Silo.Clustering.PostgresClustering.sql";

    /// <summary>
    /// The query keys Microsoft.Orleans.Clustering.AdoNet 10.4.2 reads. It refuses to start
    /// without any of them except <c>CleanupDefunctSiloEntryKey</c>, which it uses in place of
    /// <c>CleanupDefunctSiloEntriesKey</c> when present.
    /// </summary>
    internal static readonly IReadOnlyList<string> QueryKeys =
    [
        "InsertMembershipVersionKey",
        "MembershipReadAllKey",
        "MembershipReadRowKey",
        "InsertMembershipKey",
        "UpdateMembershipKey",
        "UpdateIAmAlivetimeKey",
        "GatewaysQueryKey",
        "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntryKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    /// <summary>
    /// Creates what is missing: the tables, and the query rows (rewritten when their text differs,
    /// so a corrected query reaches an existing database). Existing membership rows are kept.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string; objects go into the first schema of its search path.</param>
    /// <param name="cancellationToken">Cancels the connection and the script.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL could not be reached, or refused the connection.</exception>
    public static async Task EnsureAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);

        var script = await ReadScriptAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(connectionString);
        await OpenAsync(connection, connectionString, cancellationToken);

        // One transaction: the script's advisory lock lasts until it commits, and a failure
        // leaves the database as it was.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task OpenAsync(NpgsqlConnection connection, string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            // The server answered (wrong password, no such database or role): say which server,
            // never the connection string, which holds the password.
            throw new InvalidOperationException(
                $"PostgreSQL at {Endpoint(connectionString)} refused the connection: {e.SqlState} {e.MessageText}", e);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"PostgreSQL could not be reached at {Endpoint(connectionString)}: {e.Message}", e);
        }
    }

    private static string Endpoint(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{settings.Host}:{settings.Port}";
    }

    private static async Task<string> ReadScriptAsync(CancellationToken cancellationToken)
    {
        await using var stream = typeof(PostgresClusteringSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the silo assembly.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}

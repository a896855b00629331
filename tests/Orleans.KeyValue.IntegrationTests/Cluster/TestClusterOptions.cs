namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>How a <see cref="TestCluster"/> runs its silos.</summary>
public sealed record TestClusterOptions
{
    /// <summary><c>embedded</c> (the first silo hosts the table) or <c>postgres</c>.</summary>
    public string Membership { get; init; } = "embedded";

    /// <summary>Silos as separate <c>dotnet Orleans.KeyValue.Silo.dll</c> processes (real kill -9 and SIGTERM), else in this process.</summary>
    public bool Processes { get; init; }

    /// <summary>Gives every silo a dashboard on a free port (<see cref="TestSilo.DashboardPort"/>); off (port 0) otherwise.</summary>
    public bool Dashboard { get; init; }

    /// <summary>More silo flags for every silo.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>The PostgreSQL connection string: <c>KV_TEST_POSTGRES</c> or the local kv database that tools/postgres.sh makes.</summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("KV_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Username=kv;Password=kv;Database=kv";
}

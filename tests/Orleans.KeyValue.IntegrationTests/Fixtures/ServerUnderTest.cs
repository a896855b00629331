using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>Starts the server the tests compare with redis-server.</summary>
public static class ServerUnderTest
{
    /// <summary>
    /// Set to <c>redis</c> to run every differential test redis-server against redis-server
    /// (checks the tests); unset or <c>silo</c> for redis-server against our silo.
    /// </summary>
    public const string TargetVariable = "KV_TEST_TARGET";

    public static ServerTarget Target => Environment.GetEnvironmentVariable(TargetVariable)?.Trim().ToUpperInvariant() switch
    {
        null or "" or "SILO" => ServerTarget.Silo,
        "REDIS" => ServerTarget.Redis,
        var other => throw new InvalidOperationException(
            $"{TargetVariable}={other} is not understood: use 'silo' (the default) or 'redis'."),
    };

    /// <summary>
    /// Starts the target on a free port. <paramref name="extraArguments"/> (such as
    /// <c>--requirepass pw</c>) are understood alike by redis-server and our silo.
    /// </summary>
    public static async Task<IRespServer> StartAsync(IEnumerable<string> extraArguments, CancellationToken cancellationToken = default) =>
        Target switch
        {
            ServerTarget.Redis => await RedisServerProcess.StartAsync(extraArguments, cancellationToken: cancellationToken),
            _ => await SiloServer.StartAsync(extraArguments, cancellationToken),
        };
}

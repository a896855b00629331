using System.Globalization;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>Runs the real Redis clients installed from Debian packages; a missing one fails the test, never skips it.</summary>
internal static class ExternalClients
{
    public const string RedisCliPath = "/usr/bin/redis-cli";

    // The python3 first on PATH may be a build without the redis module: always Debian's.
    public const string PythonPath = "/usr/bin/python3";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    /// <summary>redis-cli against 127.0.0.1:<paramref name="port"/>; returns stdout after checking the exit code.</summary>
    public static async Task<string> RedisCliAsync(int port, IEnumerable<string> arguments, string? standardInput = null)
    {
        Require(RedisCliPath, "redis-tools");
        string[] all = ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments];
        var result = await ProcessRunner.RunAsync(RedisCliPath, all, Timeout, standardInput);
        Assert.True(result.ExitCode == 0, $"redis-cli {string.Join(' ', all)} failed:\n{result}");
        return result.StandardOutput;
    }

    /// <summary>
    /// Runs <paramref name="script"/> with Debian's python3 and its redis module, passing
    /// <paramref name="arguments"/> as sys.argv[1:]; fails unless it exits 0 and prints <c>PASS</c>.
    /// </summary>
    public static async Task RunPythonAsync(string script, params string[] arguments)
    {
        Require(PythonPath, "python3");
        var probe = await ProcessRunner.RunAsync(PythonPath, ["-c", "import redis"], Timeout);
        Assert.True(
            probe.ExitCode == 0,
            $"{PythonPath} cannot import redis: install the Debian package 'python3-redis' (apt-get install -y python3-redis).\n{probe}");
        var result = await ProcessRunner.RunAsync(PythonPath, ["-c", script, .. arguments], Timeout);
        Assert.True(result.ExitCode == 0 && result.StandardOutput.Contains("PASS", StringComparison.Ordinal), $"The python client script failed:\n{result}");
    }

    private static void Require(string path, string package) =>
        Assert.True(File.Exists(path), $"{path} is missing: install the Debian package '{package}' (apt-get install -y {package}).");
}

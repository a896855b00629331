using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free 127.0.0.1 port, the reference for differential tests.
/// It keeps nothing on disk and is killed (this process only, by its handle) on dispose.
/// </summary>
public sealed class RedisServerProcess : IRespServer
{
    /// <summary>Debian's redis-server, which the CI script installs.</summary>
    public const string ServerPath = "/usr/bin/redis-server";

    /// <summary>How long a start may take before it fails.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    // A port found free can be taken by someone else before redis-server binds it; then the
    // server exits at once and a new port is tried.
    private const int PortAttempts = 3;

    private readonly Process _process;
    private readonly StringBuilder _output;

    private RedisServerProcess(Process process, StringBuilder output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    /// <summary>The port on 127.0.0.1 the server listens on.</summary>
    public int Port { get; }

    public string Name => "redis-server";

    /// <summary>What the server has printed so far (its log), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts redis-server with <paramref name="extraArguments"/> after the standard ones and
    /// returns once it answers PING (any reply, so a server with <c>--requirepass</c> counts).
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(
        IEnumerable<string>? extraArguments = null,
        TimeSpan? startTimeout = null,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(ServerPath))
        {
            throw new InvalidOperationException(
                $"{ServerPath} is missing. The differential tests compare with a real Redis: install the "
                + "Debian package 'redis-server' (apt-get install -y redis-server), as the CI script does.");
        }

        var extra = extraArguments?.ToArray() ?? [];
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < PortAttempts; attempt++)
        {
            var port = FreePort.Next();
            var server = Launch(port, extra);
            try
            {
                if (await server.WaitUntilAnsweringAsync(startTimeout ?? DefaultStartTimeout, cancellationToken).ConfigureAwait(false))
                {
                    return server;
                }

                failures.Append(CultureInfo.InvariantCulture, $"port {port}: exited with {server._process.ExitCode}:\n{server.Output}\n");
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await server.DisposeAsync().ConfigureAwait(false);
        }

        throw new InvalidOperationException($"redis-server did not start in {PortAttempts} attempts:\n{failures}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            using var deadline = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The process had already exited and been reaped: nothing left to stop.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static RedisServerProcess Launch(int port, string[] extra)
    {
        var startInfo = new ProcessStartInfo(ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] standard =
        [
            "--save", "",
            "--appendonly", "no",
            // One database, as our store (and Redis Cluster) has: SELECT 1 is an error on both.
            "--databases", "1",
            "--bind", "127.0.0.1",
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--daemonize", "no",
        ];
        foreach (var argument in standard.Concat(extra))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = startInfo };
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RedisServerProcess(process, output, port);
    }

    /// <summary>True once PING answers; false if the server exited (typically: port taken).</summary>
    private async Task<bool> WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastError = "none yet";
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                await using var connection = await RawRespConnection.ConnectAsync(Port, PingTimeout, cancellationToken).ConfigureAwait(false);
                await connection.CommandAsync("PING").ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                lastError = e.Message;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException(
            $"redis-server on port {Port} did not answer PING within {timeout}; last error: {lastError}\n{Output}");
    }
}

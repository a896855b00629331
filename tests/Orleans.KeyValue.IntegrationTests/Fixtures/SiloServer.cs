using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>One of our silos, in this process, serving RESP on a free 127.0.0.1 port.</summary>
public sealed class SiloServer : IRespServer
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    // A port found free can be taken before the silo binds it; then another is tried.
    private const int PortAttempts = 3;

    private readonly WebApplication _app;

    private SiloServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public string Name => "our silo";

    public int Port { get; }

    public static async Task<SiloServer> StartAsync(IEnumerable<string> extraArguments, CancellationToken cancellationToken = default)
    {
        var extra = extraArguments.ToArray();
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < PortAttempts; attempt++)
        {
            var port = FreePort.Next();
            string[] args =
            [
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dashboard-port", "0",
                "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
                .. extra,
            ];
            var app = SiloApplication.Build(args, services => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)));
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                failures.Append(CultureInfo.InvariantCulture, $"port {port}: {e.Message}\n");
                await app.DisposeAsync();
                continue;
            }

            var silo = new SiloServer(app, port);
            try
            {
                await silo.WaitUntilAnsweringAsync(cancellationToken);
                return silo;
            }
            catch
            {
                await silo.DisposeAsync();
                throw;
            }
        }

        throw new InvalidOperationException($"The silo did not start in {PortAttempts} attempts:\n{failures}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastError = "none yet";
        while (clock.Elapsed < StartTimeout)
        {
            try
            {
                await using var connection = await RawRespConnection.ConnectAsync(Port, PingTimeout, cancellationToken);
                await connection.CommandAsync("PING");
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                lastError = e.Message;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new TimeoutException($"The silo on port {Port} did not answer PING within {StartTimeout}; last error: {lastError}");
    }
}

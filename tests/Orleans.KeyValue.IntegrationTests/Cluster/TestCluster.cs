using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// A cluster of silos on 127.0.0.1 for tests (Orleans's TestingHost <c>TestCluster</c>): starts
/// N silos in this process or as processes on free ports, adds, stops (clean leave) and kills
/// (no goodbye) silos, waits for the membership to settle, and connects clients to any silo.
/// Membership runs on real time: failure detection is about real silence.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<TestSilo> _silos = [];
    private readonly TestClusterOptions _options;
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..12];
    private int _next;

    private TestCluster(TestClusterOptions options)
    {
        _options = options;
    }

    /// <summary>Every silo started, alive or not.</summary>
    public IReadOnlyList<TestSilo> Silos => _silos;

    /// <summary>The cluster id its silos share (Orleans clients need it).</summary>
    public string ClusterId => _clusterId;

    /// <summary>The silos alive now.</summary>
    public IReadOnlyList<TestSilo> LiveSilos => [.. _silos.Where(s => s.IsAlive)];

    /// <summary>Starts <paramref name="count"/> silos and waits until they agree on the membership.</summary>
    public static async Task<TestCluster> StartAsync(int count, TestClusterOptions? options = null)
    {
        var cluster = new TestCluster(options ?? new TestClusterOptions());
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.StartSiloAsync();
            }

            await cluster.WaitForStableMembershipAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds a silo and waits until the cluster agrees on it.</summary>
    public async Task<TestSilo> AddSiloAsync()
    {
        var silo = await StartSiloAsync();
        await WaitForStableMembershipAsync();
        return silo;
    }

    /// <summary>Starts a silo without waiting for the others to agree (for joins under load).</summary>
    public async Task<TestSilo> StartSiloAsync()
    {
        var index = _next++;
        var gatewayPort = FreePort.Next();
        var siloPort = FreePort.Next();
        var silo = new TestSilo($"silo{index}", gatewayPort, siloPort) { DashboardPort = _options.Dashboard ? FreePort.Next() : 0, OrleansGatewayPort = FreePort.Next() };
        var args = new List<string>
        {
            "--port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture),
            "--silo-bind", "127.0.0.1",
            "--orleans-gateway-port", silo.OrleansGatewayPort.ToString(CultureInfo.InvariantCulture),
            "--dashboard-port", silo.DashboardPort.ToString(CultureInfo.InvariantCulture),
            "--silo-name", silo.Name,
            "--membership", _options.Membership,
            "--cluster-id", _clusterId,
        };
        if (_options.Membership == "postgres")
        {
            args.AddRange(["--connection-string", TestClusterOptions.PostgresConnectionString]);
        }
        else if (_silos.FirstOrDefault(s => s.IsAlive) is { } seed)
        {
            args.AddRange(["--seeds", "127.0.0.1:" + seed.SiloPort.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(_options.ExtraArguments);
        _silos.Add(silo);
        if (_options.Processes)
        {
            StartProcess(silo, args);
        }
        else
        {
            silo.App = SiloApplication.Build([.. args], services => services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)));
            await silo.App.StartAsync();
        }

        await WaitUntilAnsweringAsync(silo);
        return silo;
    }

    /// <summary>Stops a silo cleanly (SIGTERM for a process): it hands its keys over before it exits.</summary>
    public async Task StopSiloAsync(TestSilo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (!_silos.Contains(silo))
        {
            throw new ArgumentException($"{silo} is not a silo of this cluster.", nameof(silo));
        }

        silo.IsAlive = false;
        if (silo.Process is { } process)
        {
            Signal(process.Id, "TERM");
            using var exit = new CancellationTokenSource(StartTimeout);
            await process.WaitForExitAsync(exit.Token);
        }
        else if (silo.App is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Kills a silo with no goodbye (kill -9 for a process; in process: its silo port and heartbeats stop at once).</summary>
    public async Task KillSiloAsync(TestSilo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (!_silos.Contains(silo))
        {
            throw new ArgumentException($"{silo} is not a silo of this cluster.", nameof(silo));
        }

        silo.IsAlive = false;
        if (silo.Process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        else if (silo.App is { } app)
        {
            // As close to a crash as one process allows: no clean leave, and Orleans stops
            // without its graceful steps.
            app.Services.GetRequiredService<ClusterViewService>().Abandon();
            await app.StopAsync(new CancellationToken(canceled: true));
            await app.DisposeAsync();
        }
    }

    /// <summary>Pauses a silo process (SIGSTOP): it stays in the table and keeps its sockets, silent.</summary>
    public static void Pause(TestSilo silo) => Signal(ProcessOf(silo).Id, "STOP");

    /// <summary>Resumes a paused silo process (SIGCONT).</summary>
    public static void Resume(TestSilo silo) => Signal(ProcessOf(silo).Id, "CONT");

    /// <summary>Waits until the first live silo's view says <paramref name="victim"/> is dead.</summary>
    public async Task WaitForDeadAsync(TestSilo victim)
    {
        ArgumentNullException.ThrowIfNull(victim);
        var clock = Stopwatch.StartNew();
        var seen = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var info = await ClusterInfoAsync(LiveSilos.First(s => s != victim));
            var row = info.Where(p => p.Key.StartsWith("silo_", StringComparison.Ordinal))
                .Select(p => p.Value)
                .FirstOrDefault(v => v.Contains("name=" + victim.Name + ",", StringComparison.Ordinal));
            seen = row ?? "(no row)";
            if (row is not null && row.Contains("status=dead", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{victim} was not declared dead: {seen}");
    }

    private static Process ProcessOf(TestSilo silo) =>
        silo.Process ?? throw new InvalidOperationException($"{silo} runs in this process: only a process can be paused.");

    /// <summary>A client connection to <paramref name="silo"/>'s gateway.</summary>
    public static Task<RawRespConnection> ConnectAsync(TestSilo silo) =>
        RawRespConnection.ConnectAsync(silo.GatewayPort);

    /// <summary>
    /// Waits until every live silo sees the same view with exactly the live silos active, every
    /// slot served by exactly one of them, and no slot waiting for a hand-over.
    /// </summary>
    public async Task WaitForStableMembershipAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? StartTimeout;
        var seen = string.Empty;
        while (deadline.Elapsed < limit)
        {
            var live = LiveSilos;
            var infos = new List<Dictionary<string, string>>();
            try
            {
                foreach (var silo in live)
                {
                    infos.Add(await ClusterInfoAsync(silo));
                }
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                seen = exception.Message;
                await Task.Delay(100);
                continue;
            }

            seen = string.Join(" | ", infos.Select(i => $"v{i.GetValueOrDefault("kv_view_version")} active={i.GetValueOrDefault("kv_silos_active")} served={i.GetValueOrDefault("kv_slots_served")} waiting={i.GetValueOrDefault("kv_slots_waiting")}"));
            var stable = infos.All(i => i.GetValueOrDefault("kv_silos_active") == live.Count.ToString(CultureInfo.InvariantCulture)
                                     && i.GetValueOrDefault("kv_slots_waiting") == "0")
                && infos.Select(i => i.GetValueOrDefault("kv_view_version")).Distinct().Count() == 1
                && infos.Sum(i => int.Parse(i.GetValueOrDefault("kv_slots_served", "0"), CultureInfo.InvariantCulture)) == 16384;
            if (stable)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The cluster did not settle within {limit}: {seen}\n{Logs()}");
    }

    /// <summary>
    /// Waits until every slot has a complete copy on its backup (every live silo reports no slot
    /// awaiting a fill, and the copies cover all 16384 slots), when more than one silo lives.
    /// </summary>
    public async Task WaitForBackupsFilledAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? StartTimeout;
        var seen = string.Empty;
        while (deadline.Elapsed < limit)
        {
            var infos = new List<Dictionary<string, string>>();
            foreach (var silo in LiveSilos)
            {
                infos.Add(await ClusterInfoAsync(silo));
            }

            seen = string.Join(" | ", infos.Select(i => $"awaiting={i.GetValueOrDefault("kv_slots_awaiting_fill")} complete={i.GetValueOrDefault("kv_backup_slots_complete")}"));
            if (infos.All(i => i.GetValueOrDefault("kv_replicas") == "0"))
            {
                return;
            }

            if (infos.All(i => i.GetValueOrDefault("kv_slots_awaiting_fill") == "0")
                && (infos.Count < 2 || infos.Sum(i => int.Parse(i.GetValueOrDefault("kv_backup_slots_complete", "0"), CultureInfo.InvariantCulture)) == 16384))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The backups were not filled within {limit}: {seen}\n{Logs()}");
    }

    /// <summary>INFO cluster of one silo, as fields.</summary>
    public static async Task<Dictionary<string, string>> ClusterInfoAsync(TestSilo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await using var client = await RawRespConnection.ConnectAsync(silo.GatewayPort);
        var reply = Encoding.UTF8.GetString(await client.CommandAsync("INFO", "cluster"));
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in reply.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('$'))
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        return fields;
    }

    /// <summary>What the process silos printed (for failure messages).</summary>
    public string Logs() => string.Join("\n", _silos.Where(s => s.Process is not null).Select(s =>
    {
        lock (s.Output)
        {
            return $"--- {s} ---\n{s.Output}";
        }
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.Where(s => s.IsAlive).Reverse().ToList())
        {
            try
            {
                // Tear down fast: a clean leave of every silo is not what the test is about.
                await KillSiloAsync(silo);
            }
            catch (Exception exception) when (exception is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // Already gone.
            }
        }
    }

    private static async Task WaitUntilAnsweringAsync(TestSilo silo)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var client = await RawRespConnection.ConnectAsync(silo.GatewayPort);
                if (Encoding.UTF8.GetString(await client.CommandAsync("PING")) == RedisReply.Pong)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                if (deadline.Elapsed > StartTimeout || silo.Process is { HasExited: true })
                {
                    throw new InvalidOperationException($"{silo} did not start: {exception.Message}\n{silo.Output}", exception);
                }
            }

            await Task.Delay(50);
        }
    }

    private static void StartProcess(TestSilo silo, List<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.KeyValue.Silo.dll");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var argument in args)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start a silo process");
        process.OutputDataReceived += (_, e) => { lock (silo.Output) { silo.Output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (silo.Output) { silo.Output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        silo.Process = process;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Test hosts made of Linux network namespaces: one per silo, each with its own address on a
/// private subnet, joined by veth pairs to a bridge that lives in a hub namespace of its own
/// (the machine's own interfaces are never touched). A host can be cut off and joined back by
/// taking its link on the bridge down and up. Needs root (CI runs as root).
/// </summary>
public sealed class NetworkNamespaceTopology : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly string _id;
    private readonly int _subnet;
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];

    private NetworkNamespaceTopology(string id, int subnet, int hosts)
    {
        _id = id;
        _subnet = subnet;
        Hosts = hosts;
    }

    public int Hosts { get; }

    private string Hub => "kvh" + _id;

    /// <summary>The namespace of host <paramref name="index"/>.</summary>
    public string Namespace(int index) => "kvs" + _id + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The address of host <paramref name="index"/>.</summary>
    public string Address(int index) => string.Create(CultureInfo.InvariantCulture, $"10.213.{_subnet}.{index + 1}");

    private string HostLink(int index) => "kv" + _id + index.ToString(CultureInfo.InvariantCulture) + "a";

    private string HubLink(int index) => "kv" + _id + index.ToString(CultureInfo.InvariantCulture) + "b";

    /// <summary>Makes <paramref name="hosts"/> namespaces on one bridge.</summary>
    public static async Task<NetworkNamespaceTopology> CreateAsync(int hosts)
    {
        var id = Guid.NewGuid().ToString("N")[..5];
        var topology = new NetworkNamespaceTopology(id, Random.Shared.Next(1, 250), hosts);
        try
        {
            await IpAsync("netns", "add", topology.Hub);
            topology._namespaces.Add(topology.Hub);
            await InAsync(topology.Hub, "ip", "link", "set", "lo", "up");
            await InAsync(topology.Hub, "ip", "link", "add", "br0", "type", "bridge");
            await InAsync(topology.Hub, "ip", "link", "set", "br0", "up");
            for (var i = 0; i < hosts; i++)
            {
                var ns = topology.Namespace(i);
                await IpAsync("netns", "add", ns);
                topology._namespaces.Add(ns);
                await InAsync(ns, "ip", "link", "set", "lo", "up");
                await IpAsync("link", "add", topology.HostLink(i), "type", "veth", "peer", "name", topology.HubLink(i));
                await IpAsync("link", "set", topology.HostLink(i), "netns", ns);
                await IpAsync("link", "set", topology.HubLink(i), "netns", topology.Hub);
                await InAsync(ns, "ip", "addr", "add", topology.Address(i) + "/24", "dev", topology.HostLink(i));
                await InAsync(ns, "ip", "link", "set", topology.HostLink(i), "up");
                await InAsync(topology.Hub, "ip", "link", "set", topology.HubLink(i), "master", "br0");
                await InAsync(topology.Hub, "ip", "link", "set", topology.HubLink(i), "up");
            }

            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>Cuts host <paramref name="index"/> off the bridge.</summary>
    public Task CutAsync(int index) => InAsync(Hub, "ip", "link", "set", HubLink(index), "down");

    /// <summary>Joins host <paramref name="index"/> back.</summary>
    public Task HealAsync(int index) => InAsync(Hub, "ip", "link", "set", HubLink(index), "up");

    /// <summary>Starts a long-running program inside host <paramref name="index"/>; stopped (by PID) on dispose.</summary>
    public Process Start(int index, StringBuilder output, string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["netns", "exec", Namespace(index), fileName, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start " + fileName);
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// The arguments of `dotnet` that start a silo on host <paramref name="index"/>: RESP on
    /// 6379 and the silo port 11111 of the host's address; host 0 keeps the embedded table and
    /// the others join through it.
    /// </summary>
    public string[] SiloArguments(int index) =>
    [
        Path.Combine(AppContext.BaseDirectory, "Orleans.KeyValue.Silo.dll"),
        "--port", "6379", "--bind", Address(index),
        "--silo-port", "11111", "--silo-bind", Address(index),
        "--dashboard-port", "0", "--silo-name", "host" + index.ToString(CultureInfo.InvariantCulture),

        // The test's own hosts, on a network only they share: no password needed.
        "--protected-mode", "no",
        .. index == 0 ? Array.Empty<string>() : ["--seeds", Address(0) + ":11111"],
    ];

    /// <summary>INFO cluster of the silo on host <paramref name="index"/> (port 6379), through redis-cli inside the host.</summary>
    public async Task<string> ClusterInfoAsync(int index) =>
        (await RunAsync(index, "redis-cli", "-h", Address(index), "-p", "6379", "INFO", "cluster")).StandardOutput;

    /// <summary>Polls <paramref name="condition"/> for up to 60 s; then fails with <paramref name="what"/> and the hosts' output.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, StringBuilder output, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(output);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        lock (output)
        {
            throw new TimeoutException($"Not reached within 60 s: {what}\n{output}");
        }
    }

    /// <summary>Runs a program to completion inside host <paramref name="index"/>.</summary>
    public Task<ProcessResult> RunAsync(int index, string fileName, params string[] arguments) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", Namespace(index), fileName, .. arguments], CommandTimeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        // Deleting a namespace deletes the veth ends inside it (and so their peers).
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            await ProcessRunner.RunAsync("ip", ["netns", "del", ns], CommandTimeout);
        }
    }

    private static Task InAsync(string ns, params string[] command) => CheckedAsync("ip", ["netns", "exec", ns, .. command]);

    private static Task IpAsync(params string[] arguments) => CheckedAsync("ip", arguments);

    private static async Task CheckedAsync(string fileName, string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(fileName, arguments, CommandTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' failed (network namespaces need root and iproute2; CI runs as root): {result}");
        }
    }
}

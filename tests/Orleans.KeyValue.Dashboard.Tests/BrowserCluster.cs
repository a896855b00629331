using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.Dashboard.Tests;

/// <summary>Three in-process silos with dashboards on free ports, and headless Debian chromium driven by Playwright.</summary>
public sealed class BrowserCluster : IAsyncLifetime
{
    private readonly List<WebApplication> _apps = [];
    private IPlaywright? _playwright;

    public List<(string Name, int GatewayPort, int DashboardPort)> Silos { get; } = [];

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Each silo's log (information and above), for a failing test to show.</summary>
    public List<RecordingLoggerProvider> Logs { get; } = [];

    /// <summary>Every silo's recorded log lines, in time order.</summary>
    public string DumpLogs() => string.Join(Environment.NewLine, Logs.SelectMany(l => l.Lines).Order(StringComparer.Ordinal));

    public async Task InitializeAsync()
    {
        var clusterId = "browser-" + Guid.NewGuid().ToString("N")[..8];
        var seedPort = 0;
        for (var i = 0; i < 3; i++)
        {
            var gateway = FreePort.Next();
            var siloPort = FreePort.Next();
            var dashboard = FreePort.Next();
            var name = "silo" + i.ToString(CultureInfo.InvariantCulture);
            var args = new List<string>
            {
                "--port", gateway.ToString(CultureInfo.InvariantCulture),
                "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture),
                "--dashboard-port", dashboard.ToString(CultureInfo.InvariantCulture),
                "--silo-name", name, "--cluster-id", clusterId,
            };
            if (i > 0)
            {
                args.AddRange(["--seeds", "127.0.0.1:" + seedPort.ToString(CultureInfo.InvariantCulture)]);
            }
            else
            {
                seedPort = siloPort;
            }

            var log = new RecordingLoggerProvider(name);
            Logs.Add(log);
            var app = SiloApplication.Build([.. args], s => s.AddLogging(l => l.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(log)));
            await app.StartAsync();
            _apps.Add(app);
            Silos.Add((name, gateway, dashboard));
        }

        await WaitForActiveAsync(3);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Stops silo <paramref name="index"/> cleanly (it leaves and is marked dead).</summary>
    public async Task StopSiloAsync(int index)
    {
        await _apps[index].StopAsync();
        await _apps[index].DisposeAsync();
        _apps[index] = null!;
    }

    public string Url(int silo) => $"http://127.0.0.1:{Silos[silo].DashboardPort}/";

    /// <summary>
    /// Waits until every silo sees the same view with <paramref name="count"/> active silos, every
    /// slot served once and none waiting for a hand-over (a SCAN while slots still move may skip them).
    /// </summary>
    private async Task WaitForActiveAsync(int count)
    {
        var deadline = Stopwatch.StartNew();
        var seen = string.Empty;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var infos = new List<Dictionary<string, string>>();
            foreach (var silo in Silos)
            {
                await using var client = await RawRespConnection.ConnectAsync(silo.GatewayPort);
                var text = System.Text.Encoding.UTF8.GetString(await client.CommandAsync("INFO", "cluster"));
                infos.Add(text.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]));
            }

            seen = string.Join(" | ", infos.Select(i => $"v{i.GetValueOrDefault("kv_view_version")} active={i.GetValueOrDefault("kv_silos_active")} served={i.GetValueOrDefault("kv_slots_served")} waiting={i.GetValueOrDefault("kv_slots_waiting")}"));
            if (infos.All(i => i.GetValueOrDefault("kv_silos_active") == count.ToString(CultureInfo.InvariantCulture) && i.GetValueOrDefault("kv_slots_waiting") == "0")
                && infos.Select(i => i.GetValueOrDefault("kv_view_version")).Distinct().Count() == 1
                && infos.Sum(i => int.Parse(i.GetValueOrDefault("kv_slots_served", "0"), CultureInfo.InvariantCulture)) == 16384)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the cluster did not settle: " + seen);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var app in _apps.Where(a => a is not null))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
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

            var app = SiloApplication.Build([.. args], s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)));
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

    private async Task WaitForActiveAsync(int count)
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        var seen = string.Empty;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            seen = await http.GetStringAsync(new Uri(Url(0) + "api/overview"));
            if (JsonDocument.Parse(seen).RootElement.GetProperty("totals").GetProperty("active").GetInt32() == count)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the cluster did not form: " + seen);
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

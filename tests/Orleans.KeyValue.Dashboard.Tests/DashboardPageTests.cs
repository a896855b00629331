using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.Dashboard.Tests;

/// <summary>The pages in headless chromium against a live 3-silo cluster.</summary>
public sealed class DashboardPageTests(BrowserCluster cluster) : IClassFixture<BrowserCluster>
{
    private const float Wait = 30_000;

    [Fact(Timeout = 120_000)]
    public async Task Overview_ListsEverySilo_AndSavesAScreenshot()
    {
        var page = await cluster.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 700 } });
        await page.GotoAsync(cluster.Url(0));
        foreach (var silo in cluster.Silos)
        {
            var row = page.Locator($"#silos tbody tr[data-name='{silo.Name}']");
            await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("active", new() { Timeout = Wait });
        }

        await Assertions.Expect(page.Locator("#totals")).ToContainTextAsync("3 / 3", new() { Timeout = Wait });
        var path = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard-overview.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000);
        await page.CloseAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task KeySetThroughResp_ShowsInTheInspector_WithItsTtlCountingDown()
    {
        var key = "page:ttl:" + Guid.NewGuid().ToString("N")[..8];
        await using (var client = await RawRespConnection.ConnectAsync(cluster.Silos[1].GatewayPort))
        {
            await client.CommandAsync("SET", key, "hello browser", "EX", "300");
        }

        var page = await cluster.Browser.NewPageAsync();
        await page.GotoAsync(cluster.Url(0) + "#keys");
        await page.FillAsync("#key-input", key);
        await page.ClickAsync("#key-lookup");
        await Assertions.Expect(page.Locator("#key-value")).ToContainTextAsync("hello browser", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#key-type")).ToHaveTextAsync("string");
        await Assertions.Expect(page.Locator("#key-ttl")).ToHaveTextAsync(new Regex(@"^\d+\.\d s$"), new() { Timeout = Wait });
        var first = long.Parse(await page.Locator("#key-ttl").GetAttributeAsync("data-ms") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(first, 1, 300_000);

        // Counting down in the page: poll until it shows less, with a deadline (no sleep).
        await page.WaitForFunctionAsync($"Number(document.querySelector('#key-ttl').dataset.ms) < {first - 500}", null, new() { Timeout = Wait });

        // Browsing finds it too.
        await page.FillAsync("#scan-pattern", key);
        await page.Locator("#scan-form button[type=submit]").ClickAsync();
        var next = page.Locator("#scan-next");
        var link = page.Locator($"#scan-keys a[data-key='{key}']");
        for (var i = 0; i < 400; i++)
        {
            // Look at a page only once it has loaded, and before asking for the next one.
            await Assertions.Expect(page.Locator("#scan-status")).ToContainTextAsync("keys on this page", new() { Timeout = Wait });
            if (await link.CountAsync() > 0 || await next.IsDisabledAsync())
            {
                break;
            }

            await next.ClickAsync();
        }

        try
        {
            await Assertions.Expect(link).ToHaveCountAsync(1, new() { Timeout = Wait });
        }
        catch (PlaywrightException e)
        {
            // Say what the cluster thinks of the key and what the silos logged.
            var seen = new List<string>();
            foreach (var silo in cluster.Silos)
            {
                await using var probe = await RawRespConnection.ConnectAsync(silo.GatewayPort);
                seen.Add($"{silo.Name}: EXISTS={RespDisplay.Escape(await probe.CommandAsync("EXISTS", key))} KEYSLOT={RespDisplay.Escape(await probe.CommandAsync("CLUSTER", "KEYSLOT", key))}");
            }

            throw new InvalidOperationException(
                $"{e.Message}\nstatus: {await page.Locator("#scan-status").TextContentAsync()}\n{string.Join("\n", seen)}\n{cluster.DumpLogs()}", e);
        }

        await page.CloseAsync();
    }
}

using Microsoft.Playwright;

namespace Orleans.KeyValue.Dashboard.Tests;

/// <summary>A silo that leaves turns dead on the overview (its own cluster: it stops a silo).</summary>
public sealed class StoppedSiloPageTests(BrowserCluster cluster) : IClassFixture<BrowserCluster>
{
    [Fact(Timeout = 120_000)]
    public async Task StoppedSilo_TurnsDeadOnThePage()
    {
        var page = await cluster.Browser.NewPageAsync();
        await page.GotoAsync(cluster.Url(0));
        var row = page.Locator($"#silos tbody tr[data-name='{cluster.Silos[2].Name}'] .status");
        await Assertions.Expect(row).ToHaveTextAsync("active", new() { Timeout = 30_000 });
        await cluster.StopSiloAsync(2);
        await Assertions.Expect(row).ToHaveTextAsync("dead", new() { Timeout = 60_000 });
        var path = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard-dead-silo.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        await page.CloseAsync();
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.KeyValue.IntegrationTests.Cluster;

namespace Orleans.KeyValue.IntegrationTests.Dashboard;

/// <summary>The dashboard's JSON API on a 3-silo cluster (one cluster for the class; each test uses its own keys).</summary>
public sealed partial class DashboardApiTests(DashboardApiTests.ClusterFixture fixture) : IClassFixture<DashboardApiTests.ClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public sealed class ClusterFixture : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(3, new TestClusterOptions { Dashboard = true });

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private static async Task<JsonElement> GetJsonAsync(TestSilo silo, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{silo.DashboardPort}{path}"));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact(Timeout = 60_000)]
    public async Task Overview_ListsEverySiloActive()
    {
        var overview = await GetJsonAsync(fixture.Cluster.LiveSilos[0], "/api/overview");
        var silos = overview.GetProperty("silos").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "active").ToList();
        Assert.True(silos.Count >= 3, overview.ToString());
        foreach (var live in fixture.Cluster.LiveSilos)
        {
            var row = silos.Single(s => s.GetProperty("name").GetString() == live.Name);
            Assert.True(row.GetProperty("reachable").GetBoolean());
            Assert.Equal(live.GatewayPort, row.GetProperty("gatewayPort").GetInt32());
            Assert.True(row.GetProperty("slotsServed").GetInt32() > 0);
        }

        Assert.True(overview.GetProperty("totals").GetProperty("active").GetInt32() >= 3);
    }

    [Fact(Timeout = 60_000)]
    public async Task KeySetThroughResp_ShowsWithTtlAndOwner()
    {
        var silos = fixture.Cluster.LiveSilos;
        await using var client = await TestCluster.ConnectAsync(silos[0]);
        for (var i = 0; i < 6; i++)
        {
            // Keys spread over the silos: some are owned by another silo than the one asked.
            var key = $"dash:ttl:{Guid.NewGuid():N}:{i}";
            await client.CommandAsync("SET", key, "hello dashboard", "EX", "100");
            var asked = silos[i % silos.Count];
            var details = await GetJsonAsync(asked, "/api/keys/" + Uri.EscapeDataString(key));
            Assert.True(details.GetProperty("exists").GetBoolean(), details.ToString());
            Assert.Equal("string", details.GetProperty("type").GetString());
            Assert.Equal("hello dashboard", details.GetProperty("preview").GetString());
            Assert.Equal(15, details.GetProperty("size").GetInt64());
            var ttl = details.GetProperty("ttlMs").GetInt64();
            Assert.InRange(ttl, 1, 100_000);
            Assert.True(details.GetProperty("expiresAtMs").GetInt64() > details.GetProperty("serverTimeMs").GetInt64());
            var owner = details.GetProperty("ownerName").GetString();
            Assert.Contains(silos, s => s.Name == owner);
            // Key grains end their activation when idle: the key lives on in grain storage.
            Assert.False(details.GetProperty("grainActive").GetBoolean(), details.ToString());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task KeyDetails_OfAHash_ShowItsFieldsInOrder()
    {
        var silos = fixture.Cluster.LiveSilos;
        await using var client = await TestCluster.ConnectAsync(silos[0]);
        var key = $"dash:hash:{Guid.NewGuid():N}";
        await client.CommandAsync("HSET", key, "name", "Ada", "bin", "\u0001", "lang", "en");

        var details = await GetJsonAsync(silos[^1], "/api/keys/" + Uri.EscapeDataString(key));
        Assert.Equal("hash", details.GetProperty("type").GetString());
        Assert.Equal(3, details.GetProperty("fields").GetInt32());
        Assert.Equal("name: Ada\nbin: 0x01\nlang: en\n", details.GetProperty("preview").GetString());
        Assert.False(details.GetProperty("truncated").GetBoolean());
    }

    [Fact(Timeout = 60_000)]
    public async Task KeysScan_PagesWithCursorAndPattern()
    {
        var prefix = "dash:scan:" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await TestCluster.ConnectAsync(fixture.Cluster.LiveSilos[0]);
        for (var i = 0; i < 30; i++)
        {
            await client.CommandAsync("SET", $"{prefix}:{i}", "v");
        }

        var seen = new HashSet<string>();
        var cursor = "0";
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(fixture.Cluster.LiveSilos[1], $"/api/keys?pattern={Uri.EscapeDataString(prefix + ":*")}&cursor={cursor}&count=10");
            foreach (var key in page.GetProperty("keys").EnumerateArray())
            {
                seen.Add(key.GetString()!);
            }

            cursor = page.GetProperty("cursor").GetString()!;
            pages++;
        }
        while (cursor != "0" && pages < 5000);

        Assert.Equal(30, seen.Count);
        Assert.True(pages > 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_IsPrometheusText()
    {
        var silo = fixture.Cluster.LiveSilos[0];
        await using (var client = await TestCluster.ConnectAsync(silo))
        {
            await client.CommandAsync("SET", "dash:metrics:" + Guid.NewGuid().ToString("N"), "v");
        }

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{silo.DashboardPort}/metrics"));
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        var sample = SampleLine();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || sample.IsMatch(line), "not Prometheus text: " + line);
        }

        Assert.Contains("kv_commands_total{command=\"set\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kv_command_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(@"kv_command_duration_seconds_bucket\{command=""set"",le=""\+Inf""\} \d+", text);
        Assert.Contains("kv_keys ", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Errors_ListsAnErrorReplyWithItsSilo()
    {
        var silo = fixture.Cluster.LiveSilos[2];
        var name = "nosuchcmd" + Guid.NewGuid().ToString("N")[..6];
        await using (var client = await TestCluster.ConnectAsync(silo))
        {
            await client.CommandAsync(name);
        }

        var errors = await GetJsonAsync(fixture.Cluster.LiveSilos[0], "/api/errors");
        var found = errors.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("command").GetString() == name);
        Assert.Equal(silo.Name, found.GetProperty("silo").GetString());
        Assert.StartsWith("ERR unknown command", found.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stream_SendsSamplesOfEverySilo()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{fixture.Cluster.LiveSilos[0].DashboardPort}/api/stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Deadline)
        {
            var line = await reader.ReadLineAsync();
            if (line is null)
            {
                break;
            }

            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var sample = JsonDocument.Parse(line[6..]).RootElement;
                Assert.True(sample.GetProperty("silos").GetArrayLength() >= fixture.Cluster.LiveSilos.Count, line);
                return;
            }
        }

        Assert.Fail("no sample within the deadline");
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})? -?[0-9.eE+-]+$")]
    private static partial Regex SampleLine();
}

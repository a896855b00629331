using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orleans.KeyValue.IntegrationTests.Cluster;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Dashboard;

/// <summary>The dashboard's password (ours and Orleans's mounted beside it), its secure default, and a silo's death on the overview.</summary>
public sealed class DashboardSecurityTests
{
    [Fact(Timeout = 120_000)]
    public async Task Password_GuardsEveryApiAndValue_HealthzStaysOpenWithStatusOnly()
    {
        await using var cluster = await TestCluster.StartAsync(1, new TestClusterOptions { Dashboard = true, ExtraArguments = ["--dashboard-password", "s3cret"] });
        var silo = cluster.LiveSilos[0];
        await using (var client = await TestCluster.ConnectAsync(silo))
        {
            await client.CommandAsync("SET", "dash:secret", "the value", "EX", "100");
        }

        using var http = new HttpClient();
        var root = $"http://127.0.0.1:{silo.DashboardPort}";
        foreach (var path in new[] { "/", "/app.js", "/api/overview", "/api/keys", "/api/keys/dash%3Asecret", "/api/grains", "/api/errors", "/api/slow", "/api/stream", "/metrics", "/orleans/" })
        {
            using var anonymous = await http.GetAsync(new Uri(root + path), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.DoesNotContain("the value", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, root + path);
            wrong.Headers.Authorization = Basic("admin", "nope");
            using var wrongResponse = await http.SendAsync(wrong, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, root + "/api/keys/dash%3Asecret");
        request.Headers.Authorization = Basic("admin", "s3cret");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var details = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("the value", details.GetProperty("preview").GetString());

        // Orleans's dashboard (no authentication of its own) sits behind the same password.
        using var orleans = new HttpRequestMessage(HttpMethod.Get, root + "/orleans/");
        orleans.Headers.Authorization = Basic("admin", "s3cret");
        using var orleansResponse = await http.SendAsync(orleans);
        Assert.Equal(HttpStatusCode.OK, orleansResponse.StatusCode);
        Assert.Contains("Orleans Dashboard", await orleansResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var health = JsonDocument.Parse(await http.GetStringAsync(new Uri(root + "/healthz"))).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Single(health.EnumerateObject());
    }

    [Fact(Timeout = 30_000)]
    public async Task NonLoopbackBind_WithoutPassword_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--dashboard-bind", "0.0.0.0"))));
        Assert.Contains("--dashboard-password", error.Message, StringComparison.Ordinal);
        Assert.Contains("--dashboard-insecure", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task NonLoopbackBind_Insecure_Starts()
    {
        await using var app = SiloApplication.Build(Ports("--dashboard-bind", "0.0.0.0", "--dashboard-insecure"));
        Assert.NotNull(app);
    }

    // Protected mode (Redis's protected-mode): the RESP port on a non-loopback address needs a
    // password or an explicit --protected-mode no. Build only reads the options; nothing listens.
    [Fact(Timeout = 30_000)]
    public async Task RespPortOnNonLoopbackBind_WithoutPassword_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--bind", "0.0.0.0"))));
        Assert.Contains("Protected mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("--requirepass", error.Message, StringComparison.Ordinal);
        Assert.Contains("--protected-mode no", error.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--requirepass", "secret")]
    [InlineData("--protected-mode", "no")]
    public async Task RespPortOnNonLoopbackBind_WithPasswordOrProtectedModeOff_Starts(string flag, string value)
    {
        await using var app = SiloApplication.Build(Ports("--bind", "0.0.0.0", flag, value));
        Assert.NotNull(app);
    }

    [Fact(Timeout = 120_000)]
    public async Task StoppedSilo_ShowsDeadOnTheOverview()
    {
        await using var cluster = await TestCluster.StartAsync(3, new TestClusterOptions { Dashboard = true });
        var victim = cluster.LiveSilos[2];
        await cluster.KillSiloAsync(victim);
        var watcher = cluster.LiveSilos[0];
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        var seen = string.Empty;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            seen = await http.GetStringAsync(new Uri($"http://127.0.0.1:{watcher.DashboardPort}/api/overview"));
            var rows = JsonDocument.Parse(seen).RootElement.GetProperty("silos").EnumerateArray();
            if (rows.Any(r => r.GetProperty("name").GetString() == victim.Name && r.GetProperty("status").GetString() == "dead"))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail("the killed silo never showed as dead: " + seen);
    }

    private static string[] Ports(params string[] more) =>
    [
        "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--dashboard-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        .. more,
    ];

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
}

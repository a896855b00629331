using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Dashboard.Api;
using Orleans.KeyValue.Dashboard.Live;
using Orleans.KeyValue.Dashboard.Security;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Gateway.Diagnostics;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Dashboard;

/// <summary>Maps the dashboard (pages, JSON API, live stream, Prometheus metrics) on a silo's HTTP port.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    private const int MaxScanCount = 1000;

    /// <summary>Where Orleans's dashboard is mounted.</summary>
    public const string OrleansDashboardPath = "/orleans";

    /// <summary>
    /// Maps <c>/</c> (the pages), <c>/api/*</c>, <c>/metrics</c> and, on a silo with Orleans's
    /// dashboard added, Orleans's own dashboard at <c>/orleans/</c>. With
    /// <see cref="KeyValueDashboardOptions.Password"/> set, every one of them needs it (Orleans's
    /// dashboard has no authentication of its own: it sits behind the same filter).
    /// </summary>
    public static IEndpointRouteBuilder MapKeyValueDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<KeyValueDashboardOptions>>().Value;

        // Created now, so the transport answers other silos' dashboard queries from the start.
        endpoints.ServiceProvider.GetRequiredService<SiloDashboard>();
        endpoints.ServiceProvider.GetRequiredService<GatewayMetrics>();

        var group = endpoints.MapGroup(string.Empty);
        group.AddEndpointFilter(async (context, next) =>
        {
            if (!DashboardAuthentication.IsAuthorized(context.HttpContext, options))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = DashboardAuthentication.Realm;
                return Results.Unauthorized();
            }

            return await next(context);
        });

        group.MapGet("/", (HttpContext _) => Page("index.html", "text/html; charset=utf-8"));
        group.MapGet("/app.js", (HttpContext _) => Page("app.js", "text/javascript; charset=utf-8"));
        group.MapGet("/style.css", (HttpContext _) => Page("style.css", "text/css; charset=utf-8"));
        group.MapGet("/api/overview", OverviewAsync);
        group.MapGet("/api/keys", ScanAsync);
        group.MapGet("/api/keys/{**key}", InspectAsync);
        group.MapGet("/api/grains", GrainsAsync);
        group.MapGet("/api/errors", (SiloDashboard dashboard, CancellationToken cancellationToken) => EventsAsync(dashboard, slow: false, cancellationToken));
        group.MapGet("/api/slow", (SiloDashboard dashboard, CancellationToken cancellationToken) => EventsAsync(dashboard, slow: true, cancellationToken));
        group.MapGet("/api/stream", StreamAsync);
        group.MapGet("/metrics", (GatewayMetrics metrics, SiloDashboard dashboard) =>
            Results.Text(PrometheusExporter.Write(metrics, dashboard.Executor), PrometheusExporter.ContentType));
        if (options.MountOrleansDashboard)
        {
            Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(group, OrleansDashboardPath);
        }

        return endpoints;
    }

    private static IResult Page(string name, string contentType)
    {
        var stream = typeof(DashboardEndpointRouteBuilderExtensions).Assembly.GetManifestResourceStream("wwwroot/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }

    private static async Task<IResult> OverviewAsync(SiloDashboard dashboard, CancellationToken cancellationToken)
    {
        var answers = await dashboard.AskEverySiloAsync(DashboardQuery.Stats, dashboard.LocalStats, cancellationToken);
        var view = dashboard.Membership.View;
        var silos = new List<SiloStats>();
        foreach (var member in view.Members)
        {
            var stats = answers.FirstOrDefault(a => a.Silo.Equals(member.Silo)).Result;
            silos.Add(stats is not null
                ? stats with { Status = member.Status.ToString().ToLowerInvariant(), Self = member.Silo.Equals(dashboard.Membership.Me) }
                : new SiloStats
                {
                    Name = member.Name,
                    Address = member.Silo.ToString(),
                    GatewayPort = member.GatewayPort,
                    Generation = member.Silo.Generation,
                    Status = member.Status.ToString().ToLowerInvariant(),
                    StartTimeMs = member.StartTime.ToUnixTimeMilliseconds(),
                    Reachable = false,
                });
        }

        var live = silos.Where(s => s.Reachable).ToList();
        return Results.Json(
            new
            {
                timeMs = dashboard.NowMs,
                self = dashboard.Membership.Me.ToString(),
                viewVersion = view.Version,
                silos = silos.OrderBy(s => s.Status == "dead").ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Generation),
                totals = new
                {
                    silos = silos.Count,
                    active = view.ActiveSilos.Count,
                    keys = live.Sum(s => s.KeysOwned),
                    activations = live.Sum(s => s.Activations),
                    clients = live.Sum(s => s.Clients),
                    commandsPerSecond = Math.Round(live.Sum(s => s.CommandsPerSecond), 1),
                    workingSetBytes = live.Sum(s => s.WorkingSetBytes),
                    gcHeapBytes = live.Sum(s => s.GcHeapBytes),
                    errors = live.Sum(s => s.ErrorsTotal),
                },
            },
            SiloDashboard.Json);
    }

    private static async Task<IResult> ScanAsync(SiloDashboard dashboard, string? pattern, string? cursor, int? count)
    {
        var request = new RespRequest();
        try
        {
            request.Add("SCAN"u8);
            request.Add(Encoding.UTF8.GetBytes(string.IsNullOrEmpty(cursor) ? "0" : cursor));
            if (!string.IsNullOrEmpty(pattern) && pattern != "*")
            {
                request.Add("MATCH"u8);
                request.Add(Encoding.UTF8.GetBytes(pattern));
            }

            request.Add("COUNT"u8);
            request.Add(Encoding.UTF8.GetBytes(Math.Clamp(count ?? 50, 1, MaxScanCount).ToString(CultureInfo.InvariantCulture)));
            var reply = await dashboard.Executor.ExecuteAsync(new Gateway.Commands.CommandContext(DashboardSession()), request);
            if (reply.IsError)
            {
                return Results.Json(new { error = reply.Text }, SiloDashboard.Json, statusCode: StatusCodes.Status400BadRequest);
            }

            var next = Encoding.UTF8.GetString(reply.Items![0].Bytes.Span);
            var keys = reply.Items[1].Items!.Select(k => Encoding.UTF8.GetString(k.Bytes.Span)).ToList();
            return Results.Json(new { cursor = next, done = next == "0", keys }, SiloDashboard.Json);
        }
        finally
        {
            request.Dispose();
        }
    }

    private static async Task<IResult> InspectAsync(SiloDashboard dashboard, HttpContext context, string key)
    {
        // A catch-all route keeps an encoded slash encoded: keys may contain '/'.
        key = key.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var bytes = Encoding.UTF8.GetBytes(key);
        var showValue = DashboardAuthentication.MayShowValues(context, dashboard.Options);
        var owner = dashboard.Membership.View.OwnerOf(KeySlot.Of(bytes));
        KeyDetails? details;
        if (owner is null || owner.Equals(dashboard.Membership.Me))
        {
            details = dashboard.LocalInspect(bytes, showValue);
        }
        else
        {
            details = await dashboard.AskAsync<KeyDetails>(owner, DashboardQuery.Inspect, w =>
            {
                w.WriteByte(showValue ? (byte)1 : (byte)0);
                w.WriteBytes(bytes);
            }, context.RequestAborted);
        }

        return details is null
            ? Results.Json(new { error = "the key's owner " + owner + " did not answer" }, SiloDashboard.Json, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(details, SiloDashboard.Json);
    }

    private static async Task<IResult> GrainsAsync(SiloDashboard dashboard, CancellationToken cancellationToken)
    {
        var stats = await dashboard.AskEverySiloAsync(DashboardQuery.Stats, dashboard.LocalStats, cancellationToken);
        var busiest = await dashboard.AskEverySiloAsync(DashboardQuery.BusiestKeys, dashboard.LocalBusiestKeys, cancellationToken);
        return Results.Json(
            new
            {
                timeMs = dashboard.NowMs,
                silos = stats.Where(s => s.Result is not null).Select(s => new
                {
                    name = s.Result!.Name,
                    address = s.Result.Address,
                    activations = s.Result.Activations,
                    activationsPerSecond = s.Result.ActivationsPerSecond,
                    deactivationsPerSecond = s.Result.DeactivationsPerSecond,
                    collectionsPerSecond = s.Result.CollectionsPerSecond,
                }),
                // Counted only while someone asks (a lease of a few seconds): the first call starts it.
                busiestKeys = busiest.Where(b => b.Result is not null)
                    .SelectMany(b => b.Result!.Select(p => new { key = p.Key, calls = p.Value, silo = b.Silo.ToString() }))
                    .OrderByDescending(k => k.calls).Take(dashboard.Options.BusiestKeys),
            },
            SiloDashboard.Json);
    }

    private static async Task<IResult> EventsAsync(SiloDashboard dashboard, bool slow, CancellationToken cancellationToken)
    {
        var answers = await dashboard.AskEverySiloAsync(DashboardQuery.Events, dashboard.LocalEvents, cancellationToken);
        var events = answers.Where(a => a.Result is not null)
            .SelectMany(a => (slow ? a.Result!.Slow : a.Result!.Errors).Select(e => new
            {
                silo = a.Result.Silo,
                timeMs = e.TimeMs,
                command = e.Command,
                key = e.Key,
                durationMs = e.DurationMicros / 1000.0,
                error = e.Error,
                client = e.Client,
            }))
            .OrderByDescending(e => e.timeMs)
            .ToList();
        return Results.Json(new { timeMs = dashboard.NowMs, events }, SiloDashboard.Json);
    }

    private static async Task StreamAsync(HttpContext context, LiveFeed feed, CancellationToken cancellationToken)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        using var subscription = feed.Subscribe();
        try
        {
            await foreach (var json in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                await context.Response.WriteAsync("data: " + json + "\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page closed: leaving the feed stops the sampling if it was the last.
        }
    }

    private static ClientSession DashboardSession() => new(0, null, null, 0, authenticated: true) { Protocol = 2, Name = "dashboard" };
}

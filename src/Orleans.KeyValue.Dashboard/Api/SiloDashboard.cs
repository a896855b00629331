using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Gateway.Diagnostics;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Transport;
using Orleans.KeyValue.Resp;


namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>
/// The dashboard's view of the cluster: this silo's numbers read from the counters the data
/// path keeps anyway, and every other silo's numbers asked over the silo transport
/// (<see cref="SiloMessageType.Dashboard"/>, JSON in reply). Nothing here runs unless a page
/// or API call asks.
/// </summary>
internal sealed partial class SiloDashboard
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ClusterViewService _membership;
    private readonly SiloMessenger _transport;
    private readonly SlotTable _slots;
    private readonly KeyGrainServices _keys;
    private readonly ClientRegistry _clients;
    private readonly CommandExecutor _executor;
    private readonly CommandStatistics _statistics;
    private readonly ClusterRouter _cluster;
    private readonly KeyValueDashboardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RateMeter _rates;
    private readonly long _startedTimestamp;

    public SiloDashboard(
        ClusterRouter cluster,
        KeyGrainServices keys,
        ClientRegistry clients,
        CommandExecutor executor,
        CommandStatistics statistics,
        IOptions<KeyValueDashboardOptions> options,
        TimeProvider time,
        ILogger<SiloDashboard> logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        _cluster = cluster;
        _membership = cluster.Membership;
        _transport = cluster.Transport;
        _slots = cluster.Slots;
        _keys = keys;
        _clients = clients;
        _executor = executor;
        _statistics = statistics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _rates = new RateMeter(time);
        _startedTimestamp = time.GetTimestamp();
        _transport.Handle(SiloMessageType.Dashboard, HandleAsync);
    }

    public KeyValueDashboardOptions Options => _options;

    public ClusterViewService Membership => _membership;

    public CommandExecutor Executor => _executor;

    public long NowMs => _keys.NowMs;

    // ---- This silo ----

    public SiloStats LocalStats()
    {
        var me = _membership.Me;
        var entry = _membership.View.Find(me);
        var cpu = Environment.CpuUsage.TotalTime;
        var rates = _rates.Update(_executor.CommandsProcessed, _keys.Statistics.ActivationsTotal, _keys.Statistics.ActivationsTotal - _keys.Statistics.Activations, 0, cpu.Ticks);
        return new SiloStats
        {
            Name = entry?.Name ?? me.Endpoint.ToString(),
            Address = me.ToString(),
            GatewayPort = entry?.GatewayPort ?? 0,
            Generation = me.Generation,
            Status = (entry?.Status.ToString() ?? (_membership.Joined.IsCompleted ? "Unknown" : "Joining")).ToLowerInvariant(),
            StartTimeMs = entry?.StartTime.ToUnixTimeMilliseconds() ?? 0,
            UptimeSeconds = Math.Round(_time.GetElapsedTime(_startedTimestamp).TotalSeconds, 1),
            Reachable = true,
            KeysOwned = _keys.Storage.Count,
            SlotsServed = _slots.ServedCount,
            Activations = (int)_keys.Statistics.Activations,
            WorkingSetBytes = Environment.WorkingSet,
            GcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            CpuPercent = Math.Round(rates[4] / TimeSpan.TicksPerSecond * 100 / Environment.ProcessorCount, 1),
            Clients = _clients.Count,
            CommandsTotal = _executor.CommandsProcessed,
            CommandsPerSecond = Math.Round(rates[0], 1),
            ErrorsTotal = _statistics.ErrorCount,
            ForwardedTotal = _cluster.Forwarded,
            ExpiredTotal = _keys.Statistics.ExpiredKeys,
            TimingWheelPending = _keys.Wheel.Count,
            ActivationsPerSecond = Math.Round(rates[1], 1),
            DeactivationsPerSecond = Math.Round(rates[2], 1),
            CollectionsPerSecond = Math.Round(rates[3], 1),
            Self = true,
        };
    }

    public LiveSample LocalSample()
    {
        _statistics.RenewKeyTracking();
        var latency = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var definition in GatewayMetrics.AllDefinitions(_executor))
        {
            var buckets = definition.Latency.Snapshot();
            if (buckets.Any(b => b > 0))
            {
                latency[definition.Name] = buckets;
            }
        }

        return new LiveSample
        {
            Name = _membership.View.Find(_membership.Me)?.Name ?? _membership.Me.Endpoint.ToString(),
            Address = _membership.Me.ToString(),
            TimeMs = NowMs,
            Timestamp = _time.GetTimestamp(),
            Commands = _executor.CommandsProcessed,
            Keys = _keys.Storage.Count,
            Activations = (int)_keys.Statistics.Activations,
            Expired = _keys.Statistics.ExpiredKeys,
            TimingWheelPending = _keys.Wheel.Count,
            Latency = latency,
        };
    }

    public SiloEvents LocalEvents() =>
        new(_membership.View.Find(_membership.Me)?.Name ?? _membership.Me.Endpoint.ToString(), _statistics.Errors.Snapshot(), _statistics.Slow.Snapshot(), _statistics.Errors.Total, _statistics.Slow.Total);

    public List<KeyValuePair<string, long>> LocalBusiestKeys()
    {
        _statistics.RenewKeyTracking();
        return _statistics.TakeBusiestKeys(_options.BusiestKeys);
    }

    /// <summary>A key stored here, read from grain storage without activating its grain.</summary>
    public KeyDetails LocalInspect(byte[] key, bool showValue)
    {
        var now = NowMs;
        var name = Encoding.UTF8.GetString(key);
        var details = new KeyDetails
        {
            Key = name,
            Slot = KeySlot.Of(key),
            Owner = _membership.Me.ToString(),
            OwnerName = _membership.View.Find(_membership.Me)?.Name,
            GrainActive = _keys.IsActive(key),
            ServerTimeMs = now,
        };
        if (!_keys.Storage.TryRead(key, out var record) || !record.Exists || record.IsExpiredAt(now))
        {
            return details;
        }

        if (record.Kind == ValueKind.Hash)
        {
            return InspectHash(details, record, now, showValue);
        }

        var value = record.Value;
        var preview = value.AsSpan(0, Math.Min(value.Length, _options.ValuePreviewBytes));
        var isText = IsText(preview);
        return details with
        {
            Exists = true,
            Type = ValueKinds.Name(record.Kind),
            Size = value.Length,
            ValueHidden = !showValue,
            Encoding = showValue ? (isText ? "text" : "hex") : null,
            Preview = showValue ? (isText ? Encoding.UTF8.GetString(preview) : Convert.ToHexString(preview)) : null,
            Truncated = value.Length > preview.Length,
            TtlMs = record.HasDeadline ? Math.Max(0, record.DeadlineMs - now) : -1,
            ExpiresAtMs = record.HasDeadline ? record.DeadlineMs : null,
        };
    }

    /// <summary>A hash: its fields, one "field: value" line each (hex where not text), up to the preview size.</summary>
    private KeyDetails InspectHash(KeyDetails details, KeyRecord record, long now, bool showValue)
    {
        var entries = HashEncoding.Entries(record.Value);
        var preview = new StringBuilder();
        var shown = 0;
        foreach (var (field, value) in entries)
        {
            if (preview.Length >= _options.ValuePreviewBytes)
            {
                break;
            }

            preview.Append(Show(field.Span)).Append(": ").Append(Show(value.Span)).Append('\n');
            shown++;
        }

        return details with
        {
            Exists = true,
            Type = ValueKinds.Name(record.Kind),
            Size = record.Value.Length,
            Fields = entries.Count,
            ValueHidden = !showValue,
            Encoding = showValue ? "fields" : null,
            Preview = showValue ? preview.ToString() : null,
            Truncated = shown < entries.Count,
            TtlMs = record.HasDeadline ? Math.Max(0, record.DeadlineMs - now) : -1,
            ExpiresAtMs = record.HasDeadline ? record.DeadlineMs : null,
        };

        static string Show(ReadOnlySpan<byte> bytes) => IsText(bytes) ? Encoding.UTF8.GetString(bytes) : "0x" + Convert.ToHexString(bytes);
    }

    private static bool IsText(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (byte)'\n' and not (byte)'\r' and not (byte)'\t')
            {
                return false;
            }
        }

        return true;
    }

    // ---- Silo-to-silo ----

    private ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var query = (DashboardQuery)reader.ReadByte();
        byte[] reply = query switch
        {
            DashboardQuery.Stats => JsonSerializer.SerializeToUtf8Bytes(LocalStats(), Json),
            DashboardQuery.Sample => JsonSerializer.SerializeToUtf8Bytes(LocalSample(), Json),
            DashboardQuery.Events => JsonSerializer.SerializeToUtf8Bytes(LocalEvents(), Json),
            DashboardQuery.BusiestKeys => JsonSerializer.SerializeToUtf8Bytes(LocalBusiestKeys(), Json),
            DashboardQuery.Inspect => InspectRequest(reader),
            _ => throw new InvalidDataException($"Unknown dashboard query {query}."),
        };
        return new(reply);
    }

    private byte[] InspectRequest(WireReader reader)
    {
        var showValue = reader.ReadByte() == 1;
        var key = reader.ReadBytes();
        return JsonSerializer.SerializeToUtf8Bytes(LocalInspect(key, showValue), Json);
    }

    /// <summary>Asks <paramref name="silo"/>; null when it does not answer in time.</summary>
    public async Task<T?> AskAsync<T>(SiloAddress silo, DashboardQuery query, Action<WireWriter>? arguments = null, CancellationToken cancellationToken = default)
        where T : class
    {
        var writer = new WireWriter();
        writer.WriteByte((byte)query);
        arguments?.Invoke(writer);
        try
        {
            var reply = await _transport.SendAsync(silo, SiloMessageType.Dashboard, writer.Written, _options.SiloQueryTimeout, cancellationToken);
            return JsonSerializer.Deserialize<T>(reply, Json);
        }
        catch (Exception exception) when (exception is SiloUnreachableException or ObjectDisposedException or JsonException or TimeoutException)
        {
            LogQueryFailed(silo.ToString(), query.ToString(), exception.Message);
            return null;
        }
    }

    /// <summary>Runs <paramref name="local"/> here and <paramref name="query"/> on every other active silo.</summary>
    public async Task<List<(SiloAddress Silo, T? Result)>> AskEverySiloAsync<T>(DashboardQuery query, Func<T> local, CancellationToken cancellationToken = default)
        where T : class
    {
        var view = _membership.View;
        var tasks = new List<Task<(SiloAddress, T?)>>();
        var includesMe = false;
        foreach (var silo in view.ActiveSilos)
        {
            if (silo.Equals(_membership.Me))
            {
                includesMe = true;
                continue;
            }

            tasks.Add(AskOneAsync<T>(silo, query, cancellationToken));
        }

        var results = new List<(SiloAddress, T?)>();
        if (includesMe || view.ActiveSilos.Count == 0)
        {
            results.Add((_membership.Me, local()));
        }

        results.AddRange(await Task.WhenAll(tasks));
        return results;
    }

    private async Task<(SiloAddress, T?)> AskOneAsync<T>(SiloAddress silo, DashboardQuery query, CancellationToken cancellationToken)
        where T : class =>
        (silo, await AskAsync<T>(silo, query, null, cancellationToken));

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "Dashboard query {Query} to {Silo} failed: {Reason}")]
    private partial void LogQueryFailed(string silo, string query, string reason);
}

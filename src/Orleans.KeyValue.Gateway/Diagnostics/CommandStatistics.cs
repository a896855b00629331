using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Diagnostics;

/// <summary>
/// What the gateway records about the commands its clients send, for the dashboard and
/// <c>/metrics</c>. Always on and cheap: per-command latency buckets (<see cref="LatencyHistogram"/>),
/// error replies and slow commands in small ring buffers (both rare). Only while someone looks
/// (a lease that the dashboard renews every second): which keys are busiest.
/// </summary>
public sealed class CommandStatistics
{
    private const int MaxTrackedKeys = 10_000;
    private const int MaxKeyText = 128;
    private const int KeySampling = 16;
    private static readonly TimeSpan TrackingLease = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly long _slowTicks;
    private ConcurrentDictionary<string, long> _keyCounts = new(StringComparer.Ordinal);
    private volatile bool _tracking;
    private long _trackingUntil;
    private long _errors;
    private int _sampled;

    public CommandStatistics(TimeProvider time, IOptions<RespGatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _slowTicks = (long)(options.Value.SlowLogThreshold.TotalSeconds * time.TimestampFrequency);
        Errors = new RecentLog<CommandEvent>(options.Value.SlowLogMaxLength);
        Slow = new RecentLog<CommandEvent>(options.Value.SlowLogMaxLength);
    }

    /// <summary>The last error replies.</summary>
    public RecentLog<CommandEvent> Errors { get; }

    /// <summary>The last commands slower than <see cref="RespGatewayOptions.SlowLogThreshold"/>.</summary>
    public RecentLog<CommandEvent> Slow { get; }

    /// <summary>Error replies since start.</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>True while per-key tracking runs (someone watches the dashboard).</summary>
    public bool TrackingKeys => _tracking;

    /// <summary>A timestamp to pass to <see cref="Record"/> when the command finishes.</summary>
    public long Start() => _time.GetTimestamp();

    /// <summary>Counts one finished command (its definition is in <paramref name="context"/>).</summary>
    public void Record(CommandContext context, RespRequest request, in KvReply reply, long started)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var ticks = _time.GetTimestamp() - started;
        var micros = ticks * 1_000_000 / _time.TimestampFrequency;
        var definition = context.Current;
        definition?.Latency.Record(micros);
        if (reply.IsError)
        {
            Interlocked.Increment(ref _errors);
            if (definition is not null)
            {
                Interlocked.Increment(ref definition.ErrorCalls);
            }

            Errors.Add(Describe(context, request, micros, reply.Text));
        }

        if (ticks > _slowTicks)
        {
            Slow.Add(Describe(context, request, micros, null));
        }

        // One command in 16 is counted (a racy counter is fine for sampling): per-key counting
        // allocates, and with it on every command an open dashboard halved GET throughput.
        if (_tracking && (++_sampled & (KeySampling - 1)) == 0 && definition is { FirstKey: > 0 } && request.Count > definition.FirstKey)
        {
            TrackKey(request[definition.FirstKey]);
        }
    }

    /// <summary>Turns per-key tracking on for a few seconds more (the dashboard renews it while it looks).</summary>
    public void RenewKeyTracking()
    {
        Interlocked.Exchange(ref _trackingUntil, _time.GetTimestamp() + (long)(TrackingLease.TotalSeconds * _time.TimestampFrequency));
        _tracking = true;
    }

    /// <summary>The busiest keys since the last call, most used first; starts a new window.</summary>
    public List<KeyValuePair<string, long>> TakeBusiestKeys(int count)
    {
        var counts = Interlocked.Exchange(ref _keyCounts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
        return [.. counts.OrderByDescending(p => p.Value).Take(count)];
    }

    private void TrackKey(ReadOnlySpan<byte> key)
    {
        if (_time.GetTimestamp() > Interlocked.Read(ref _trackingUntil))
        {
            // Nobody renewed the lease: stop, and drop what was counted.
            _tracking = false;
            _keyCounts.Clear();
            return;
        }

        var text = KeyText(key);
        var counts = _keyCounts;
        if (counts.Count < MaxTrackedKeys || counts.ContainsKey(text))
        {
            counts.AddOrUpdate(text, KeySampling, static (_, n) => n + KeySampling);
        }
    }

    private CommandEvent Describe(CommandContext context, RespRequest request, long micros, string? error)
    {
        var definition = context.Current;
        var name = definition?.Name ?? (request.Count > 0 ? Encoding.UTF8.GetString(request[0][..Math.Min(request[0].Length, 32)]).ToLowerInvariant() : "?");
        string? key = definition is { FirstKey: > 0 } && request.Count > definition.FirstKey ? KeyText(request[definition.FirstKey]) : null;
        return new CommandEvent(_time.GetUtcNow().ToUnixTimeMilliseconds(), name, key, micros, error, context.Session.Remote?.ToString());
    }

    private static string KeyText(ReadOnlySpan<byte> key) =>
        key.Length <= MaxKeyText ? Encoding.UTF8.GetString(key) : Encoding.UTF8.GetString(key[..MaxKeyText]) + "…";
}

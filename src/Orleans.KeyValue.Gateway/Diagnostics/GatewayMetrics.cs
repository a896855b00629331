using System.Diagnostics.Metrics;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Gateway.Diagnostics;

/// <summary>
/// This silo's metrics as a <see cref="Meter"/> named <c>Orleans.KeyValue</c> (for dotnet-counters,
/// OpenTelemetry, and our own <c>/metrics</c>). Every instrument is observable: it reads counters
/// the data path keeps anyway, only when a listener collects, so nobody listening costs nothing.
/// Latency is exported from <see cref="CommandDefinition.Latency"/>'s buckets by <c>/metrics</c>.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Orleans.KeyValue";

    public GatewayMetrics(
        CommandExecutor executor,
        KeyGrainServices keys,
        ClientRegistry clients,
        CommandStatistics statistics,
        ClusterRouter? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(statistics);
        Meter = new Meter(MeterName, "1.0");
        Meter.CreateObservableCounter("kv.commands", () => PerCommand(executor, static d => d.CallCount), "{command}", "Commands run, by name");
        Meter.CreateObservableCounter("kv.command.errors", () => PerCommand(executor, static d => d.ErrorCount), "{command}", "Commands answered with an error, by name");
        Meter.CreateObservableUpDownCounter("kv.keys", () => (long)keys.Storage.Count, "{key}", "Keys stored on this silo");
        Meter.CreateObservableUpDownCounter("kv.activations", () => keys.Statistics.Activations, "{activation}", "Key grains active on this silo");
        Meter.CreateObservableCounter("kv.activations.created", () => keys.Statistics.ActivationsTotal, "{activation}", "Key grain activations made");
        Meter.CreateObservableCounter("kv.activations.deactivated", () => keys.Statistics.ActivationsTotal - keys.Statistics.Activations, "{activation}", "Key grain activations ended");
        Meter.CreateObservableCounter("kv.keys.expired", () => keys.Statistics.ExpiredKeys, "{key}", "Keys expired");
        Meter.CreateObservableCounter("kv.keyspace.hits", () => keys.Statistics.Hits, "{lookup}", "Reads that found their key");
        Meter.CreateObservableCounter("kv.keyspace.misses", () => keys.Statistics.Misses, "{lookup}", "Reads that did not find their key");
        Meter.CreateObservableUpDownCounter("kv.timing_wheel.pending", () => (long)keys.Wheel.Count, "{deadline}", "Deadlines waiting in the timing wheel");
        Meter.CreateObservableUpDownCounter("kv.clients", () => (long)clients.Count, "{connection}", "Connected clients");
        Meter.CreateObservableCounter("kv.commands.forwarded", () => cluster?.Forwarded ?? 0, "{command}", "Commands forwarded to their key's owner");
        Meter.CreateObservableCounter("kv.errors", () => statistics.ErrorCount, "{reply}", "Error replies");
    }

    /// <summary>The meter of this silo (one per silo, so in-process test silos stay apart).</summary>
    public Meter Meter { get; }

    public void Dispose() => Meter.Dispose();

    private static IEnumerable<Measurement<long>> PerCommand(CommandExecutor executor, Func<CommandDefinition, long> value)
    {
        foreach (var definition in AllDefinitions(executor))
        {
            var count = value(definition);
            if (count > 0)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("command", definition.Name));
            }
        }
    }

    /// <summary>Every command and subcommand of the table.</summary>
    public static IEnumerable<CommandDefinition> AllDefinitions(CommandExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        foreach (var definition in executor.Commands.Values)
        {
            yield return definition;
            if (definition.Subcommands is not null)
            {
                foreach (var sub in definition.Subcommands.Values)
                {
                    yield return sub;
                }
            }
        }
    }
}

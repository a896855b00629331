using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Diagnostics;

namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>
/// <c>/metrics</c>: this silo's <see cref="GatewayMetrics.Meter"/> collected on demand through a
/// <see cref="MeterListener"/> (observable instruments only, so nothing is recorded between
/// scrapes), plus the per-command latency buckets as a Prometheus histogram, in the text
/// exposition format 0.0.4.
/// </summary>
internal static class PrometheusExporter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(GatewayMetrics metrics, CommandExecutor executor)
    {
        var series = new Dictionary<Instrument, List<(long Value, string Labels)>>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (!series.TryGetValue(instrument, out var list))
                {
                    series[instrument] = list = [];
                }

                list.Add((value, Labels(tags)));
            });
            listener.Start();
            listener.RecordObservableInstruments();
        }

        var text = new StringBuilder();
        foreach (var (instrument, values) in series.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            var counter = instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
            var name = Name(instrument.Name) + (counter ? "_total" : string.Empty);
            text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description).Append('\n');
            text.Append("# TYPE ").Append(name).Append(counter ? " counter\n" : " gauge\n");
            foreach (var (value, labels) in values)
            {
                text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        const string histogram = "kv_command_duration_seconds";
        text.Append("# HELP ").Append(histogram).Append(" Command latency as the client saw it, by name\n");
        text.Append("# TYPE ").Append(histogram).Append(" histogram\n");
        foreach (var definition in GatewayMetrics.AllDefinitions(executor))
        {
            var buckets = definition.Latency.Snapshot();
            var total = buckets.Sum();
            if (total == 0)
            {
                continue;
            }

            var command = Escape(definition.Name);
            long cumulative = 0;
            for (var i = 0; i < LatencyHistogram.BoundsMicros.Length; i++)
            {
                cumulative += buckets[i];
                text.Append(histogram).Append("_bucket{command=\"").Append(command).Append("\",le=\"")
                    .Append((LatencyHistogram.BoundsMicros[i] / 1e6).ToString("R", CultureInfo.InvariantCulture)).Append("\"} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(histogram).Append("_bucket{command=\"").Append(command).Append("\",le=\"+Inf\"} ").Append(total.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append(histogram).Append("_sum{command=\"").Append(command).Append("\"} ")
                .Append((definition.Latency.SumMicros / 1e6).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            text.Append(histogram).Append("_count{command=\"").Append(command).Append("\"} ").Append(total.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string Name(string instrument) => instrument.Replace('.', '_');

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var text = new StringBuilder("{");
        foreach (var tag in tags)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(Name(tag.Key)).Append("=\"").Append(Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty)).Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

using System.Text;

namespace Orleans.KeyValue.Cli;

/// <summary><c>INFO cluster</c> as a table of silos.</summary>
internal static class ClusterTable
{
    public static string Format(string info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var text = new StringBuilder();
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("silo_", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                rows.Add(line[(colon + 1)..].Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal));
            }
            else if (line.StartsWith("kv_silos_active:", StringComparison.Ordinal) || line.StartsWith("kv_cluster_state:", StringComparison.Ordinal) || line.StartsWith("kv_view_version:", StringComparison.Ordinal))
            {
                text.Append(line).Append('\n');
            }
        }

        if (rows.Count == 0)
        {
            return text.Append("(this server reports no silos: not an Orleans.KeyValue cluster?)").ToString();
        }

        string[] columns = ["name", "address", "gateway_port", "status", "generation", "self"];
        var widths = columns.Select(c => Math.Max(c.Length, rows.Max(r => r.GetValueOrDefault(c, string.Empty).Length))).ToArray();
        text.AppendJoin("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).Append('\n');
        foreach (var row in rows)
        {
            text.AppendJoin("  ", columns.Select((c, i) => row.GetValueOrDefault(c, string.Empty).PadRight(widths[i]))).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}

using System.Globalization;
using BenchmarkDotNet.Reports;

namespace Orleans.KeyValue.Benchmarks;

/// <summary>Writes the results of a run as one Markdown table: mean time and bytes allocated per operation.</summary>
internal static class BenchmarkSummaryWriter
{
    public static void Write(string path, IEnumerable<Summary> summaries)
    {
        var lines = new List<string>
        {
            "| benchmark | mean | allocated/op |",
            "|---|---:|---:|",
        };
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var descriptor = report.BenchmarkCase.Descriptor;
            var mean = report.ResultStatistics is { } statistics
                ? string.Create(CultureInfo.InvariantCulture, $"{statistics.Mean:F1} ns")
                : "failed";
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) is { } bytes
                ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
                : "?";
            var parameters = report.BenchmarkCase.HasParameters ? $" ({report.BenchmarkCase.Parameters.PrintInfo})" : string.Empty;
            lines.Add($"| {descriptor.Type.Name}.{descriptor.WorkloadMethod.Name}{parameters} | {mean} | {allocated} |");
        }

        File.WriteAllLines(path, lines);
    }
}

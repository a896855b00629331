using BenchmarkDotNet.Running;
using Orleans.KeyValue.Benchmarks;

// Usage: Orleans.KeyValue.Benchmarks [--summary FILE] [BenchmarkDotNet options, e.g. --filter '*Parser*']
// --summary writes one Markdown table (mean time and bytes allocated per operation) for
// bench/micro.sh; every other argument goes to BenchmarkDotNet.
string? summaryPath = null;
var benchmarkArgs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--summary" && i + 1 < args.Length)
    {
        summaryPath = args[++i];
    }
    else
    {
        benchmarkArgs.Add(args[i]);
    }
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run([.. benchmarkArgs], BenchmarkConfig.Create());
if (summaryPath is not null)
{
    BenchmarkSummaryWriter.Write(summaryPath, summaries);
}

using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Orleans.KeyValue.Benchmarks;

/// <summary>The job every benchmark runs with unless the command line names another.</summary>
internal static class BenchmarkConfig
{
    /// <summary>
    /// A short run inside this process. In-process because BenchmarkDotNet's default toolchain
    /// generates and builds a project below this folder, where the repository's build rules
    /// (warnings as errors, analyzers) apply to its generated code; short because the machines
    /// are small and shared: allocations per operation are exact either way, times are a guide.
    /// </summary>
    public static IConfig Create() =>
        DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortInProcess"));
}

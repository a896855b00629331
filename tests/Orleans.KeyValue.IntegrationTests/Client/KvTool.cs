using System.Reflection;

namespace Orleans.KeyValue.IntegrationTests.Client;

/// <summary>Where the kv command-line tool was built (run it with <c>dotnet</c>).</summary>
internal static class KvTool
{
    public static string Path { get; } = System.IO.Path.GetFullPath(
        typeof(KvTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KvToolPath").Value!);
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.KeyValue.IntegrationTests.Cluster;
using Orleans.KeyValue.Testing.Linearizability;
using Xunit.Abstractions;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>
/// Linearizability across a network partition: three silo processes on three test hosts
/// (network namespaces), two clients on each host talking to their own host's silo. One host is
/// cut off (its clients keep talking to it), declared dead, healed (its silo finds itself dead
/// and stops; its clients move to the others). The clients (partition_worker.py, redis-py)
/// record every operation with the machine's monotonic clock; every key's history must be
/// linearizable.
/// </summary>
public sealed class LinearizabilityPartitionTests(ITestOutputHelper output)
{
    private const int Timeout = 300_000;
    private const int Seconds = 36;

    [Fact(Timeout = Timeout)]
    public async Task Histories_AcrossACutOffSilo_AreLinearizable()
    {
        await using var topology = await NetworkNamespaceTopology.CreateAsync(3);
        var log = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            topology.Start(i, log, "dotnet", topology.SiloArguments(i));
            await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(i)).Contains("kv_silos_active:" + (i + 1), StringComparison.Ordinal), log, "host" + i + " joined");
        }

        await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(0)).Contains("kv_slots_awaiting_fill:0", StringComparison.Ordinal), log, "backups filled");
        var prefix = "plin:" + Guid.NewGuid().ToString("N")[..8] + ":";
        var keys = string.Join(",", Enumerable.Range(0, 5).Select(k => prefix + k.ToString(CultureInfo.InvariantCulture)));
        var script = Path.Combine(AppContext.BaseDirectory, "Linearizability", "partition_worker.py");
        var files = new List<string>();
        var workers = new List<Process>();
        for (var c = 0; c < 6; c++)
        {
            var host = c % 3;
            var addresses = string.Join(",", Enumerable.Range(0, 3).Select(h => topology.Address((host + h) % 3)));
            var file = Path.Combine(Path.GetTempPath(), $"kv-plin-{Guid.NewGuid():N}.jsonl");
            files.Add(file);
            workers.Add(topology.Start(host, log, "/usr/bin/python3", script, addresses, Seconds.ToString(CultureInfo.InvariantCulture), c.ToString(CultureInfo.InvariantCulture), keys, file));
        }

        try
        {
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(6));
            await topology.CutAsync(2);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s host2 cut off");
            await NetworkNamespaceTopology.WaitUntilAsync(async () => (await topology.ClusterInfoAsync(0)).Contains("kv_silos_active:2", StringComparison.Ordinal), log, "host2 declared dead");
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s host2 declared dead");
            await Task.Delay(TimeSpan.FromSeconds(6));
            await topology.HealAsync(2);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s healed");
            foreach (var worker in workers)
            {
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 60));
                await worker.WaitForExitAsync(exited.Token);
            }

            var history = files.SelectMany(ReadHistory).ToList();
            var result = LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(120));
            output.WriteLine($"{history.Count} operations ({history.Count(o => o.Outcome == OperationOutcome.Unknown)} unknown): {result.Verdict}");
            Assert.True(history.Count(o => o.Outcome == OperationOutcome.Ok) > 300, $"only {history.Count} operations\n{log}");
            Assert.True(result.IsLinearizable, result.ToString());
        }
        finally
        {
            foreach (var file in files)
            {
                File.Delete(file);
            }
        }
    }

    private static IEnumerable<HistoryOperation> ReadHistory(string file)
    {
        foreach (var line in File.ReadLines(file))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var kind = root.GetProperty("op").GetString() switch
            {
                "get" => OperationKind.Get,
                "set" => OperationKind.Set,
                "setnx" => OperationKind.SetNx,
                "del" => OperationKind.Del,
                _ => OperationKind.SetIfEq,
            };
            var ok = root.GetProperty("o").GetString() == "ok";
            var result = default(OperationResult);
            if (ok)
            {
                var reply = root.GetProperty("r");
                result = reply.GetProperty("kind").GetString() switch
                {
                    "ok" => OperationResult.Ok,
                    "nil" => OperationResult.Nil,
                    "int" => OperationResult.Integer(reply.GetProperty("n").GetInt64()),
                    _ => OperationResult.Bulk(reply.GetProperty("text").GetString() ?? string.Empty),
                };
            }

            yield return new HistoryOperation
            {
                ClientId = root.GetProperty("c").GetInt32(),
                Key = root.GetProperty("k").GetString() ?? string.Empty,
                Kind = kind,
                Value = root.GetProperty("v").GetString(),
                Expected = root.GetProperty("e").GetString(),
                InvokeTime = root.GetProperty("i").GetInt64(),
                CompleteTime = ok ? root.GetProperty("t").GetInt64() : long.MaxValue,
                Outcome = ok ? OperationOutcome.Ok : OperationOutcome.Unknown,
                Result = result,
            };
        }
    }
}

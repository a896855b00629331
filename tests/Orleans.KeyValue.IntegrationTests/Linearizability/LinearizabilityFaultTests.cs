using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.IntegrationTests.Cluster;
using Orleans.KeyValue.Testing;
using Orleans.KeyValue.Testing.Linearizability;
using Xunit.Abstractions;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>
/// Concurrent clients run SET, SET NX, GET, DEL and SET IFEQ on a few keys of a 4-silo cluster
/// while one silo is killed and another paused past failure detection and resumed; every
/// operation is recorded (invoke, reply or unknown) and the history of every key must be
/// linearizable. An error or a lost connection counts as unknown: the write may or may not
/// have happened, as for any client.
/// </summary>
public sealed class LinearizabilityFaultTests(ITestOutputHelper output)
{
    private const int Timeout = 300_000;
    private const int Workers = 6;
    private const int Keys = 5;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    // Two holes were found by this test and closed: a forwarded command resent to the new owner
    // although the dying owner may have run it, and a backup fill that hung for good (so a silo
    // filled no new backup, and a later failover promoted an incomplete copy). On a violation it
    // prints the operations involved.
    [Fact(Timeout = Timeout)]
    public async Task Histories_UnderKillAndPause_AreLinearizable()
    {
        // KV_LINEARIZABILITY_ARGS adds silo flags (say "--replicas 0", to see the checker find the loss).
        var extra = Environment.GetEnvironmentVariable("KV_LINEARIZABILITY_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        await using var cluster = await TestCluster.StartAsync(4, new TestClusterOptions { Processes = true, ExtraArguments = extra });
        await cluster.WaitForBackupsFilledAsync();
        var prefix = "lin:" + Guid.NewGuid().ToString("N") + ":";
        var keys = Enumerable.Range(0, Keys).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var recorder = new HistoryRecorder();
        var silos = cluster.LiveSilos.ToArray();
        using var stop = new CancellationTokenSource(Duration);

        var faults = Task.Run(async () =>
        {
            var log = new StringBuilder();
            var clock = Stopwatch.StartNew();
            await Task.Delay(Duration / 5);
            await cluster.KillSiloAsync(silos[3]);
            log.Append(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1}s kill -9 {silos[3].Name}; ");
            await Task.Delay(Duration / 5);
            TestCluster.Pause(silos[2]);
            log.Append(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1}s SIGSTOP {silos[2].Name}; ");
            await cluster.WaitForDeadAsync(silos[2]);
            silos[2].IsAlive = false;
            TestCluster.Resume(silos[2]);
            log.Append(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1}s declared dead, SIGCONT");
            return log.ToString();
        });

        // Workers start on every silo (the victims' clients see their connections break) and
        // move to the first silo, which lives throughout, when theirs is gone.
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => WorkAsync(w, silos[w % silos.Length], silos[0], keys, recorder, stop.Token)));
        output.WriteLine(await faults);
        if (silos[2].Process is { HasExited: false } paused && !paused.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            paused.Kill();
        }

        var history = recorder.History;
        var result = LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(120));
        output.WriteLine($"{history.Count} operations ({history.Count(o => o.Outcome == OperationOutcome.Unknown)} unknown) on {Keys} keys: {result.Verdict}");
        Assert.True(history.Count(o => o.Outcome == OperationOutcome.Ok) > 500, $"only {history.Count} operations");
        if (!result.IsLinearizable)
        {
            // For a diagnosis: every operation of a bad key that names a value its explanation
            // shows, in invocation order.
            foreach (var bad in result.Violations)
            {
                var named = history.Where(o => o.Key == bad.Key && bad.Explanation.Contains('"' + (o.Value ?? o.Result.Text ?? "\0") + '"', StringComparison.Ordinal))
                    .OrderBy(o => o.InvokeTime);
                output.WriteLine($"operations of {bad.Key} naming a value in the explanation:");
                foreach (var operation in named.Take(60))
                {
                    output.WriteLine("  " + operation);
                }
            }
        }

        Assert.True(result.IsLinearizable, result.ToString());
    }

    private static async Task WorkAsync(int worker, TestSilo first, TestSilo fallback, string[] keys, HistoryRecorder recorder, CancellationToken stop)
    {
        var random = new Random(worker);
        var seen = new Dictionary<string, string>();
        var sequence = 0;
        RawRespConnection? connection = null;
        var silo = first;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                connection ??= await RawRespConnection.ConnectAsync(silo.GatewayPort, TimeSpan.FromSeconds(8), CancellationToken.None);
                var key = keys[random.Next(keys.Length)];
                var value = worker.ToString(CultureInfo.InvariantCulture) + "-" + (++sequence).ToString(CultureInfo.InvariantCulture);
                var (kind, command, expected) = random.Next(10) switch
                {
                    < 3 => (OperationKind.Get, new[] { "GET", key }, (string?)null),
                    < 5 => (OperationKind.Set, new[] { "SET", key, value }, null),
                    < 6 => (OperationKind.SetNx, new[] { "SET", key, value, "NX" }, null),
                    < 7 => (OperationKind.Del, new[] { "DEL", key }, null),
                    _ when seen.TryGetValue(key, out var last) => (OperationKind.SetIfEq, new[] { "SET", key, value, "IFEQ", last }, last),
                    _ => (OperationKind.Get, new[] { "GET", key }, null),
                };
                var operation = recorder.Invoke(worker, key, kind, kind is OperationKind.Get or OperationKind.Del ? null : value, expected);
                byte[] reply;
                try
                {
                    reply = await connection.CommandAsync(command);
                }
                catch (Exception exception) when (exception is IOException or EndOfStreamException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
                {
                    // The silo died or stalled: the command may or may not have run.
                    recorder.Unknown(operation);
                    await connection.DisposeAsync();
                    connection = null;
                    silo = fallback;
                    continue;
                }

                if (Parse(reply) is { } result)
                {
                    recorder.Complete(operation, result);
                    if (kind == OperationKind.Get && result.Text is { } text)
                    {
                        seen[key] = text;
                    }
                    else if (kind is OperationKind.Set or OperationKind.SetIfEq or OperationKind.SetNx && result == OperationResult.Ok)
                    {
                        seen[key] = value;
                    }
                }
                else
                {
                    // An error reply (TRYAGAIN, NOREPLICAS, ...): counted as unknown, the safe side.
                    recorder.Unknown(operation);
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>A reply as the register model's result, or null for an error.</summary>
    private static OperationResult? Parse(byte[] reply)
    {
        var text = Encoding.UTF8.GetString(reply);
        return text[0] switch
        {
            '+' => OperationResult.Ok,
            ':' => OperationResult.Integer(long.Parse(text.AsSpan(1, text.Length - 3), CultureInfo.InvariantCulture)),
            '$' when text.StartsWith("$-1", StringComparison.Ordinal) => OperationResult.Nil,
            '_' => OperationResult.Nil,
            '$' => OperationResult.Bulk(text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..^2]),
            _ => null,
        };
    }
}

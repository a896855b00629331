using System.Diagnostics;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// Expiry with the servers' real clocks: the only place tests wait for time, always in a poll
/// bounded by a deadline that reports what it saw.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class RealTimeExpiryTests(DifferentialServersFixture servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <c>GET key</c> on both servers until both reply nil, or fails showing the last replies.</summary>
    private static async Task WaitUntilGoneOnBothAsync(DifferentialRun run, string key)
    {
        var clock = Stopwatch.StartNew();
        var expectedGone = false;
        var actualGone = false;
        var last = (Expected: Array.Empty<byte>(), Actual: Array.Empty<byte>());
        while (true)
        {
            last = await run.BothAsync("GET", key);
            expectedGone |= last.Expected.AsSpan().SequenceEqual("$-1\r\n"u8);
            actualGone |= last.Actual.AsSpan().SequenceEqual("$-1\r\n"u8);
            if (expectedGone && actualGone)
            {
                return;
            }

            if (clock.Elapsed > Deadline)
            {
                throw new DifferentialMismatchException(
                    $"GET {key} still not nil on both after {Deadline}:\n"
                    + $"  redis-server: {(expectedGone ? "gone" : "present")}, last \"{RespDisplay.Escape(last.Expected)}\"\n"
                    + $"  under test:   {(actualGone ? "gone" : "present")}, last \"{RespDisplay.Escape(last.Actual)}\"");
            }

            await Task.Delay(PollInterval);
        }
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetPx300_KeyIsGoneOnBothWithinDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PX", "300");
        await WaitUntilGoneOnBothAsync(run, key);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
        await run.AssertReplyAsync(RedisReply.Integer(-2), "PTTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task PExpire300_KeyIsGoneOnBothWithinDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), "PEXPIRE", key, "300");
        await WaitUntilGoneOnBothAsync(run, key);
        await run.AssertReplyAsync(RedisReply.Status("none"), "TYPE", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ExpiredLock_CanBeAcquiredAgain()
    {
        await using var run = await servers.OpenRunAsync();
        var resource = run.Key("resource");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-1", "NX", "PX", "300");
        await WaitUntilGoneOnBothAsync(run, resource);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", resource, "token-2", "NX", "PX", "30000");
        await run.AssertReplyAsync(RedisReply.Bulk("token-2"), "GET", resource);
    }
}

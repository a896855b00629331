using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// MULTI, EXEC, DISCARD, WATCH, UNWATCH compared byte for byte with redis-server (keys of one
/// slot, as Redis Cluster requires; $a, $b are this run's keys with one hash tag).
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class TransactionTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MultiExec_QueuesAndRunsEveryCommand()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["MULTI"],
            ["SET", "$a", "1"],
            ["INCR", "$a"],
            ["INCR", "$b"],
            ["HSET", "$h", "f", "v"],
            ["GET", "$a"],
            ["MGET", "$a", "$b", "$c"],
            ["INCR", "$h"],
            ["PING"],
            ["EXEC"],
            ["GET", "$a"],
            ["MULTI"],
            ["EXEC"],
            ["EXEC"],
            ["DISCARD"],
            ["MULTI"],
            ["MULTI"],
            ["SET", "$a", "x"],
            ["DISCARD"],
            ["GET", "$a"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ErrorsWhileQueueing_AbortTheExec()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["MULTI"],
            ["SET", "$a", "1"],
            ["NOSUCHCOMMAND", "$a"],
            ["SET", "$a"],
            ["EXEC"],
            ["GET", "$a"],
            ["MULTI"],
            ["WATCH", "$a"],
            ["INCR", "$a"],
            ["EXEC"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Watch_AbortsWhenAnotherClientChangedTheKey()
    {
        await using var run = await servers.OpenRunAsync();
        await using var otherExpected = await RawRespConnection.ConnectAsync(servers.Reference.Port);
        await using var otherActual = await RawRespConnection.ConnectAsync(servers.UnderTest.Port);
        await SequenceAsync(run, [["SET", "$a", "1"], ["WATCH", "$a", "$b"], ["GET", "$a"]]);

        // Unchanged: EXEC runs.
        await SequenceAsync(run, [["MULTI"], ["INCR", "$a"], ["EXEC"]]);

        // Changed by another client between WATCH and EXEC: EXEC answers nil and runs nothing.
        await SequenceAsync(run, [["WATCH", "$a"]]);
        await otherExpected.CommandAsync("SET", run.Key("{t}a"), "changed");
        await otherActual.CommandAsync("SET", run.Key("{t}a"), "changed");
        await SequenceAsync(run, [["MULTI"], ["SET", "$a", "mine"], ["EXEC"], ["GET", "$a"]]);

        // A watched key that expires or is deleted counts as changed; UNWATCH forgets.
        await SequenceAsync(run, [["WATCH", "$b"]]);
        await otherExpected.CommandAsync("SET", run.Key("{t}b"), "new");
        await otherActual.CommandAsync("SET", run.Key("{t}b"), "new");
        await SequenceAsync(run, [["UNWATCH"], ["MULTI"], ["SET", "$b", "mine"], ["EXEC"], ["GET", "$b"]]);
        await SequenceAsync(run, [["WATCH", "$b"]]);
        await otherExpected.CommandAsync("DEL", run.Key("{t}b"));
        await otherActual.CommandAsync("DEL", run.Key("{t}b"));
        await SequenceAsync(run, [["MULTI"], ["SET", "$b", "again"], ["EXEC"], ["EXISTS", "$b"]]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Transaction_InRespThree_KeepsReplyShapes()
    {
        await using var run = await servers.OpenRunAsync();
        await run.BothAsync("HELLO", "3");
        await SequenceAsync(run, [["MULTI"], ["HSET", "$h", "a", "1", "b", "2"], ["HGETALL", "$h"], ["HRANDFIELD", "$h", "2", "WITHVALUES"], ["EXEC"]]);
    }

    private static async Task SequenceAsync(DifferentialRun run, string[][] commands)
    {
        foreach (var command in commands)
        {
            await run.AssertSameAsync([.. command.Select(argument => argument is ['$', var n] ? run.Key("{t}" + n) : argument)]);
        }
    }
}

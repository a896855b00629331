using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// Hashes, the second type behind the type tag, compared byte for byte with redis-server 7.0:
/// every command with its error paths, WRONGTYPE exactly where Redis answers it, and the order
/// of a small hash's fields (insertion order, as Redis's listpack keeps them). $h, $s, $x stand
/// for this run's keys.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class HashTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetGetAndFriends_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(2), "HSET", run.Key("h"), "f1", "v1", "f2", "v2");
        await SequenceAsync(run, [
            ["HSET", "$h", "f1", "new", "f3", "v3", "f1", "again"],
            ["HGET", "$h", "f1"],
            ["HGET", "$h", "nope"],
            ["HGET", "$x", "f1"],
            ["HMGET", "$h", "f1", "nope", "f3", "f1"],
            ["HMGET", "$x", "a", "b"],
            ["HGETALL", "$h"],
            ["HKEYS", "$h"],
            ["HVALS", "$h"],
            ["HLEN", "$h"],
            ["HLEN", "$x"],
            ["HGETALL", "$x"],
            ["HKEYS", "$x"],
            ["HEXISTS", "$h", "f2"],
            ["HEXISTS", "$h", "nope"],
            ["HEXISTS", "$x", "f2"],
            ["HSTRLEN", "$h", "f1"],
            ["HSTRLEN", "$h", "nope"],
            ["HSTRLEN", "$x", "nope"],
            ["HSETNX", "$h", "f1", "x"],
            ["HSETNX", "$h", "f4", "x"],
            ["HSETNX", "$x", "f", "v"],
            ["HMSET", "$h", "f5", "v5", "f1", "one"],
            ["HGETALL", "$h"],
            ["HDEL", "$h", "f1", "nope", "f1", "f2"],
            ["HGETALL", "$h"],
            ["HDEL", "$h", "f3", "f4", "f5"],
            ["EXISTS", "$h"],
            ["HDEL", "$h", "f"],
            ["HSET", "$h", "", ""],
            ["HGETALL", "$h"],
            ["HSET", "$h"],
            ["HSET", "$h", "f"],
            ["HSET", "$h", "f", "v", "g"],
            ["HMSET", "$h", "f", "v", "g"],
            ["HGET", "$h"],
            ["HMGET", "$h"],
            ["HDEL", "$h"],
            ["HSETNX", "$h", "f"],
            ["HGETALL"],
            ["HLEN", "$h", "x"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task IncrByAndIncrByFloat_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["HINCRBY", "$h", "n", "5"],
            ["HINCRBY", "$h", "n", "-7"],
            ["HINCRBY", "$h", "n", "abc"],
            ["HINCRBY", "$h", "n", "9223372036854775807"],
            ["HINCRBY", "$h", "n", "-9223372036854775808"],
            ["HINCRBY", "$h", "n", "-9223372036854775807"],
            ["HSET", "$h", "s", "text", "sp", " 1", "big", "9223372036854775807"],
            ["HINCRBY", "$h", "s", "1"],
            ["HINCRBY", "$h", "sp", "1"],
            ["HINCRBY", "$h", "big", "1"],
            ["HINCRBYFLOAT", "$h", "f", "10.5"],
            ["HINCRBYFLOAT", "$h", "f", "0.1"],
            ["HINCRBYFLOAT", "$h", "f", "5.0e3"],
            ["HINCRBYFLOAT", "$h", "n", "1.5"],
            ["HINCRBYFLOAT", "$h", "s", "1"],
            ["HINCRBYFLOAT", "$h", "f", "abc"],
            ["HINCRBYFLOAT", "$h", "f", "inf"],
            ["HINCRBYFLOAT", "$h", "f", "-inf"],
            ["HINCRBYFLOAT", "$h", "f", "nan"],
            ["HINCRBYFLOAT", "$h", "f", " 1"],
            ["HSET", "$h", "huge", "1e4932"],
            ["HINCRBYFLOAT", "$h", "huge", "1e4932"],
            ["HINCRBYFLOAT", "$x", "f", "inf"],
            ["HGETALL", "$h"],
            ["HINCRBY", "$h", "n"],
            ["HINCRBYFLOAT", "$h", "n", "1", "2"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task WrongType_IsAnsweredExactlyWhereRedisAnswersIt()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["HSET", "$h", "f", "1"],
            ["SET", "$s", "1"],

            // String commands on a hash.
            ["GET", "$h"], ["GETDEL", "$h"], ["GETEX", "$h", "EX", "100"], ["APPEND", "$h", "x"],
            ["INCR", "$h"], ["DECRBY", "$h", "2"], ["INCRBYFLOAT", "$h", "1.5"], ["GETRANGE", "$h", "0", "-1"],
            ["SUBSTR", "$h", "0", "1"], ["SETRANGE", "$h", "0", "x"], ["SETRANGE", "$h", "0", ""], ["STRLEN", "$h"],
            ["GETSET", "$h", "x"], ["MGET", "$h", "$s", "$x"], ["SET", "$h", "v", "GET"], ["SET", "$h", "v", "NX", "GET"],
            ["SET", "$h", "v", "XX", "GET"], ["MSETNX", "$h", "v"],

            // Hash commands on a string.
            ["HSET", "$s", "f", "v"], ["HGET", "$s", "f"], ["HMGET", "$s", "f"], ["HDEL", "$s", "f"],
            ["HEXISTS", "$s", "f"], ["HGETALL", "$s"], ["HKEYS", "$s"], ["HVALS", "$s"], ["HLEN", "$s"],
            ["HSETNX", "$s", "f", "v"], ["HMSET", "$s", "f", "v"], ["HINCRBY", "$s", "f", "1"],
            ["HINCRBYFLOAT", "$s", "f", "1"], ["HSTRLEN", "$s", "f"], ["HRANDFIELD", "$s"], ["HRANDFIELD", "$s", "2"],
            ["HSCAN", "$s", "0"],

            // Every type: the generic commands, and SET overwrites.
            ["TYPE", "$h"], ["TYPE", "$s"], ["TYPE", "$x"], ["EXISTS", "$h", "$s"],
            ["EXPIRE", "$h", "100"], ["TTL", "$h"], ["PERSIST", "$h"], ["TTL", "$h"],
            ["HSET", "$h", "g", "2"], ["HGETALL", "$h"],
            ["SET", "$h", "now a string"], ["TYPE", "$h"], ["GET", "$h"],
            ["HSET", "$x", "f", "v"], ["DEL", "$x"], ["TYPE", "$x"],
            ["MSET", "$s", "a"], ["HSET", "$x", "f", "v"], ["MSET", "$x", "b"], ["TYPE", "$x"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HashesKeepTheirDeadline_AndDeleteIfConditionsNeedAString()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["HSET", "$h", "f", "1"],
            ["PEXPIRE", "$h", "100000"],
            ["HSET", "$h", "g", "2"],
            ["HINCRBY", "$h", "f", "1"],
            ["HDEL", "$h", "g"],
            ["TTL", "$h"],
            ["EVAL", "redis.call('HSET', KEYS[1], 'z', '26'); return redis.call('HGETALL', KEYS[1])", "1", "$h"],
            ["EVAL", "return redis.call('HRANDFIELD', KEYS[1], 10, 'WITHVALUES')", "1", "$h"],
            ["EVAL", "return redis.pcall('GET', KEYS[1])", "1", "$h"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HScan_AnswersAllFieldsOfASmallHashAtOnce_AsRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["HSET", "$h", "apple", "1", "avocado", "2", "banana", "3", "apricot", "4"],
            ["HSCAN", "$h", "0"],
            ["HSCAN", "$h", "0", "MATCH", "a*"],
            ["HSCAN", "$h", "0", "MATCH", "*an*", "COUNT", "1"],
            ["HSCAN", "$h", "7", "COUNT", "100"],
            ["HSCAN", "$h", "0", "MATCH", "*"],
            ["HSCAN", "$h", "0", "COUNT", "0"],
            ["HSCAN", "$h", "0", "COUNT", "x"],
            ["HSCAN", "$h", "0", "TYPE", "hash"],
            ["HSCAN", "$h", "0", "MATCH"],
            ["HSCAN", "$h", "x"],
            ["HSCAN", "$h", "-1"],
            ["HSCAN", "$h", "+3"],
            ["HSCAN", "$h", ""],
            ["HSCAN", "$h", " 1"],
            ["HSCAN", "$h", "+"],
            ["HSCAN", "$h", "18446744073709551616"],
            ["HSCAN", "$x", "0"],
            ["HSCAN", "$x", "0", "BOGUS"],
            ["HSCAN", "$h"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HRandField_DeterministicCases_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["HSET", "$h", "a", "1", "b", "2", "c", "3"],
            ["HRANDFIELD", "$h", "3"],
            ["HRANDFIELD", "$h", "100", "WITHVALUES"],
            ["HRANDFIELD", "$h", "0"],
            ["HRANDFIELD", "$h", "0", "WITHVALUES"],
            ["HRANDFIELD", "$x"],
            ["HRANDFIELD", "$x", "5"],
            ["HRANDFIELD", "$x", "-5", "WITHVALUES"],
            ["HRANDFIELD", "$h", "x"],
            ["HRANDFIELD", "$h", "1", "VALUES"],
            ["HRANDFIELD", "$h", "1", "WITHVALUES", "x"],
            ["HRANDFIELD", "$h", "4611686018427387904", "WITHVALUES"],
            ["HRANDFIELD", "$h", "-9223372036854775808"],
            ["HRANDFIELD", "$x", "-9223372036854775808"],
            ["HSET", "$s", "only", "one"],
            ["HRANDFIELD", "$s"],
            ["HRANDFIELD", "$s", "-3"],
            ["HRANDFIELD", "$s", "-2", "WITHVALUES"],
        ]);

        // RESP3: HGETALL is a map, HRANDFIELD WITHVALUES an array of pairs.
        await run.BothAsync("HELLO", "3");
        await SequenceAsync(run, [
            ["HGETALL", "$h"],
            ["HGETALL", "$x"],
            ["HRANDFIELD", "$h", "3", "WITHVALUES"],
            ["HRANDFIELD", "$s", "-2", "WITHVALUES"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HRandField_RandomCases_HaveRedisShape()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key("h");
        var fields = Enumerable.Range(0, 20).Select(i => "f" + i).ToArray();
        await run.AssertSameAsync(["HSET", key, .. fields.SelectMany(f => new[] { f, "v" + f[1..] })]);

        // A positive count below the size: that many distinct fields; a negative one: that many, repeats allowed.
        var distinct = Parse(await run.Actual.CommandAsync("HRANDFIELD", key, "5"));
        Assert.Equal(5, distinct.Count);
        Assert.Equal(5, distinct.Distinct().Count());
        Assert.All(distinct, f => Assert.Contains(f, fields));
        var repeated = Parse(await run.Actual.CommandAsync("HRANDFIELD", key, "-50"));
        Assert.Equal(50, repeated.Count);
        Assert.All(repeated, f => Assert.Contains(f, fields));
        var withValues = Parse(await run.Actual.CommandAsync("HRANDFIELD", key, "4", "WITHVALUES"));
        Assert.Equal(8, withValues.Count);
        for (var i = 0; i < withValues.Count; i += 2)
        {
            Assert.Equal("v" + withValues[i][1..], withValues[i + 1]);
        }

        var one = Encoding.UTF8.GetString(await run.Actual.CommandAsync("HRANDFIELD", key));
        Assert.Contains(fields, f => one == RedisReply.Bulk(f));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ScanType_AndTheTypeFilter_SeeHashes()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertSameAsync("HSET", run.Key("h1"), "f", "v");
        await run.AssertSameAsync("HSET", run.Key("h2"), "f", "v");
        await run.AssertSameAsync("SET", run.Key("s1"), "v");

        var hashes = await ScanAllAsync(run.Actual, run.KeyPrefix + "*", "hash");
        Assert.Equal([run.Key("h1"), run.Key("h2")], hashes.Order(StringComparer.Ordinal));
        var strings = await ScanAllAsync(run.Actual, run.KeyPrefix + "*", "string");
        Assert.Equal([run.Key("s1")], strings);
    }

    private static async Task<List<string>> ScanAllAsync(RawRespConnection connection, string pattern, string type)
    {
        var found = new List<string>();
        var cursor = "0";
        for (var round = 0; round < 100_000; round++)
        {
            var reply = Parse(await connection.CommandAsync("SCAN", cursor, "MATCH", pattern, "TYPE", type, "COUNT", "1000"));
            cursor = reply[0];
            found.AddRange(reply.Skip(1));
            if (cursor == "0")
            {
                return found;
            }
        }

        throw new InvalidOperationException("SCAN did not end");
    }

    /// <summary>The bulk strings of a (possibly nested) RESP2 array reply, in order.</summary>
    private static List<string> Parse(byte[] reply)
    {
        var text = Encoding.UTF8.GetString(reply);
        var values = new List<string>();
        var lines = text.Split("\r\n");
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('$') && lines[i] != "$-1")
            {
                values.Add(lines[++i]);
            }
        }

        return values;
    }

    private static async Task SequenceAsync(DifferentialRun run, string[][] commands)
    {
        foreach (var command in commands)
        {
            await run.AssertSameAsync([.. command.Select(argument => argument is "$h" or "$s" or "$x" ? run.Key(argument[1..]) : argument)]);
        }
    }
}

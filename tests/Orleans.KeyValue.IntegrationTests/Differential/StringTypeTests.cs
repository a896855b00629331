using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// The rest of Redis's @string category (APPEND, INCR family, INCRBYFLOAT, GETRANGE, SUBSTR,
/// SETRANGE, STRLEN, GETSET, MGET, MSET, MSETNX, LCS), compared byte for byte with
/// redis-server. In the command lists, $a, $b and $c stand for this run's keys, and $t1, $t2
/// for keys that share a hash tag.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class StringTypeTests(DifferentialServersFixture servers)
{
    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Append_CreatesExtendsAndKeepsTheDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(5), "APPEND", run.Key("a"), "hello");
        await run.AssertReplyAsync(RedisReply.Integer(11), "APPEND", run.Key("a"), " world");
        await SequenceAsync(run, [
            ["GET", "$a"],
            ["APPEND", "$a", ""],
            ["APPEND", "$b", ""],
            ["EXISTS", "$b"],
            ["SET", "$c", "1", "EX", "100"],
            ["APPEND", "$c", "\u0000\u00ff"],
            ["GET", "$c"],
            ["TTL", "$c"],
            ["APPEND", "$a"],
            ["APPEND", "$a", "x", "y"],
        ]);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("0")]
    [InlineData("41")]
    [InlineData("-7")]
    [InlineData("9223372036854775806")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("-0")]
    [InlineData("1.0")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("99999999999999999999")]
    public async Task IncrFamily_OnStoredValues_MatchRedis(string stored)
    {
        await using var run = await servers.OpenRunAsync();
        foreach (var command in new[] { new[] { "INCR", "$a" }, ["DECR", "$a"], ["INCRBY", "$a", "5"], ["DECRBY", "$a", "5"], ["INCRBY", "$a", "9223372036854775807"], ["DECRBY", "$a", "9223372036854775807"], ["INCRBY", "$a", "-9223372036854775808"] })
        {
            await SequenceAsync(run, [["SET", "$a", stored], command, ["GET", "$a"]]);
        }
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task IncrFamily_OnMissingKeysAndBadArguments_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(1), "INCR", run.Key("a"));
        await run.AssertReplyAsync(RedisReply.Integer(-1), "DECR", run.Key("b"));
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "INCRBY", run.Key("a"), "1.5");
        await SequenceAsync(run, [
            ["INCRBY", "$c", "10"],
            ["DECRBY", "$c", "3"],
            ["DECRBY", "$c", "-9223372036854775808"],
            ["DECRBY", "$c", "abc"],
            ["INCRBY", "$c", ""],
            ["INCRBY", "$c", " 1"],
            ["SET", "$b", "10", "PX", "100000"],
            ["INCR", "$b"],
            ["TTL", "$b"],
            ["INCR"],
            ["INCR", "$a", "x"],
            ["INCRBY", "$a"],
            ["DECRBY", "$a", "1", "2"],
        ]);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData(null, "0.1")]
    [InlineData("10.5", "0.1")]
    [InlineData("0.1", "0.2")]
    [InlineData("5.0e3", "2.0e2")]
    [InlineData("3", "1.5")]
    [InlineData("-3", "1.5")]
    [InlineData("1", "-1")]
    [InlineData("-0", "0")]
    [InlineData("0x10", "1")]
    [InlineData("1", "0x1p-3")]
    [InlineData("1", "0X1.8P1")]
    [InlineData("1", "+1.25")]
    [InlineData("1", ".5")]
    [InlineData("1", "5.")]
    [InlineData("1", "1e3")]
    [InlineData("1", "1E+3")]
    [InlineData("1", "1e-3")]
    [InlineData("1.23456789012345678901234", "0")]
    [InlineData("3.0000000000000000001", "0")]
    [InlineData("1e308", "1e308")]
    [InlineData("1e4000", "1")]
    [InlineData("1", "1e5000")]
    [InlineData("1", "1e-5000")]
    [InlineData("1", "1e-4940")]
    [InlineData("0", "123456789.123456789")]
    [InlineData("9007199254740993", "0")]
    [InlineData("18446744073709551617", "0")]
    [InlineData("1", "inf")]
    [InlineData("1", "-Infinity")]
    [InlineData("inf", "1")]
    [InlineData("1", "nan")]
    [InlineData("1", " 1")]
    [InlineData("1", "1 ")]
    [InlineData("1", "")]
    [InlineData("1", "abc")]
    [InlineData("1", "1e")]
    [InlineData("1", "0x")]
    [InlineData("1", ".")]
    [InlineData("abc", "1")]
    [InlineData("1.5", "-1.5")]
    [InlineData("-1.5", "1.4999999999999999999")]
    [InlineData("0.3", "-0.1")]
    [InlineData("1.1", "2.2")]
    public async Task IncrByFloat_FormatsAndRefusesAsRedis(string? stored, string increment)
    {
        await using var run = await servers.OpenRunAsync();
        var commands = new List<string[]>();
        if (stored is not null)
        {
            commands.Add(["SET", "$a", stored]);
        }

        commands.Add(["INCRBYFLOAT", "$a", increment]);
        commands.Add(["GET", "$a"]);
        commands.Add(["INCRBYFLOAT", "$a", "0.1"]);
        commands.Add(["INCRBYFLOAT", "$a", "-1.1"]);
        await SequenceAsync(run, [.. commands]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task IncrByFloat_KeepsTheDeadlineAndChecksArity()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Bulk("10.6"), "INCRBYFLOAT", run.Key("a"), "10.6");
        await SequenceAsync(run, [
            ["SET", "$b", "1", "EX", "100"],
            ["INCRBYFLOAT", "$b", "2.5"],
            ["TTL", "$b"],
            ["INCRBYFLOAT", "$b"],
            ["INCRBYFLOAT", "$b", "1", "2"],
        ]);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("0", "-1")]
    [InlineData("0", "0")]
    [InlineData("0", "3")]
    [InlineData("2", "4")]
    [InlineData("-3", "-1")]
    [InlineData("-1", "-3")]
    [InlineData("-100", "-90")]
    [InlineData("-100", "100")]
    [InlineData("5", "2")]
    [InlineData("8", "100")]
    [InlineData("100", "200")]
    [InlineData("-1", "0")]
    [InlineData("0", "-100")]
    [InlineData("9223372036854775807", "-9223372036854775808")]
    [InlineData("-9223372036854775808", "9223372036854775807")]
    [InlineData("a", "1")]
    [InlineData("1", "1.5")]
    public async Task GetRangeAndSubstr_MatchRedis(string start, string end)
    {
        await using var run = await servers.OpenRunAsync();
        await SequenceAsync(run, [
            ["SET", "$a", "This is a string"],
            ["GETRANGE", "$a", start, end],
            ["SUBSTR", "$a", start, end],
            ["SET", "$b", ""],
            ["GETRANGE", "$b", start, end],
            ["GETRANGE", "$c", start, end],
            ["SET", "$c", "12345"],
            ["GETRANGE", "$c", start, end],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetRange_PadsOverwritesAndRefusesAsRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("a"), "Hello World");
        await run.AssertReplyAsync(RedisReply.Integer(11), "SETRANGE", run.Key("a"), "6", "Redis");
        await SequenceAsync(run, [
            ["GET", "$a"],
            ["SETRANGE", "$b", "6", "Redis"],
            ["GET", "$b"],
            ["SETRANGE", "$c", "0", ""],
            ["EXISTS", "$c"],
            ["SETRANGE", "$c", "3", ""],
            ["EXISTS", "$c"],
            ["SETRANGE", "$a", "100", ""],
            ["SETRANGE", "$a", "-1", "x"],
            ["SETRANGE", "$a", "-1", ""],
            ["SETRANGE", "$a", "x", "x"],
            ["SETRANGE", "$a", "1.5", "x"],
            ["SETRANGE", "$a", "0", "12345678901234567890"],
            ["GET", "$a"],
            ["SETRANGE", "$a", "536870912", "x"],
            ["SETRANGE", "$a", "536870911", "xy"],
            ["SET", "$c", "1", "EX", "100"],
            ["SETRANGE", "$c", "1", "2"],
            ["TTL", "$c"],
            ["SETRANGE", "$a", "1"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task StrLenAndGetSet_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), "STRLEN", run.Key("a"));
        await run.AssertReplyAsync(RedisReply.Nil, "GETSET", run.Key("a"), "first");
        await run.AssertReplyAsync(RedisReply.Bulk("first"), "GETSET", run.Key("a"), "second");
        await SequenceAsync(run, [
            ["STRLEN", "$a"],
            ["SET", "$b", "\u00e9t\u00e9"],
            ["STRLEN", "$b"],
            ["SET", "$c", "v", "EX", "100"],
            ["GETSET", "$c", "w"],
            ["TTL", "$c"],
            ["STRLEN"],
            ["STRLEN", "$a", "$b"],
            ["GETSET", "$a"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MGetAndMSet_OverAnySlots_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "MSET", run.Key("a"), "1", run.Key("b"), "2");
        await SequenceAsync(run, [
            ["MGET", "$a", "$b", "$c"],
            ["MGET", "$c"],
            ["MSET", "$a", "x", "$c", "y", "$a", "z"],
            ["MGET", "$a", "$b", "$c", "$a"],
            ["MSET", "$a"],
            ["MSET", "$a", "1", "$b"],
            ["MSET", "$t1", "1", "$t2", "2"],
            ["MGET", "$t1", "$t2"],
            ["SET", "$a", "v", "EX", "100"],
            ["MSET", "$a", "w"],
            ["TTL", "$a"],
            ["MGET"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task MSetNx_InOneSlot_SetsAllOrNone()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(1), "MSETNX", run.Key("{t}1"), "a", run.Key("{t}2"), "b");
        await run.AssertReplyAsync(RedisReply.Integer(0), "MSETNX", run.Key("{t}2"), "x", run.Key("{t}3"), "y");
        await SequenceAsync(run, [
            ["MGET", "$t1", "$t2", "$t3"],
            ["EXISTS", "$t3"],
            ["MSETNX", "$t3", "1", "$t3", "2"],
            ["GET", "$t3"],
            ["MSETNX", "$t1"],
            ["MSETNX", "$t1", "1", "$t2"],
        ]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Lcs_AllFormsAndErrors_MatchRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "MSET", run.Key("{t}1"), "ohmytext", run.Key("{t}2"), "mynewtext");
        await run.AssertReplyAsync(RedisReply.Bulk("mytext"), "LCS", run.Key("{t}1"), run.Key("{t}2"));
        await SequenceAsync(run, [
            ["LCS", "$t1", "$t2", "LEN"],
            ["LCS", "$t1", "$t2", "IDX"],
            ["LCS", "$t1", "$t2", "IDX", "MINMATCHLEN", "4"],
            ["LCS", "$t1", "$t2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
            ["LCS", "$t1", "$t2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-5"],
            ["LCS", "$t1", "$t2", "LEN", "IDX"],
            ["LCS", "$t1", "$t2", "MINMATCHLEN"],
            ["LCS", "$t1", "$t2", "MINMATCHLEN", "x"],
            ["LCS", "$t1", "$t2", "BOGUS"],
            ["LCS", "$t1", "$t3"],
            ["LCS", "$t3", "$t3", "IDX"],
            ["LCS", "$t3", "$t1", "LEN"],
            ["SET", "$t3", "aXbXcXd"],
            ["SET", "$t4", "XaXbXcXdX"],
            ["LCS", "$t3", "$t4"],
            ["LCS", "$t3", "$t4", "IDX", "WITHMATCHLEN"],
            ["LCS", "$t4", "$t3", "IDX"],
            ["LCS", "$t1"],
        ]);

        // RESP3: IDX is a map. (HELLO's replies differ in the client id only.)
        await run.BothAsync("HELLO", "3");
        await SequenceAsync(run, [["LCS", "$t1", "$t2", "IDX", "WITHMATCHLEN"]]);
    }

    private static async Task SequenceAsync(DifferentialRun run, string[][] commands)
    {
        foreach (var command in commands)
        {
            await run.AssertSameAsync([.. command.Select(argument => argument switch
            {
                "$a" or "$b" or "$c" => run.Key(argument[1..]),
                ['$', 't', var n] => run.Key("{t}" + n),
                _ => argument,
            })]);
        }
    }
}

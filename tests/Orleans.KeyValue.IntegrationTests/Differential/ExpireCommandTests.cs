using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class ExpireCommandTests(DifferentialServersFixture servers)
{
    private const long FutureSeconds = 4102444800;

    public static TheoryData<string> ExpireCommands() => new("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT");

    /// <summary>
    /// A time argument for <paramref name="command"/>: <paramref name="level"/> hundreds of
    /// seconds from now, or past a fixed far-future instant for the absolute commands, so
    /// levels compare the same way in every unit.
    /// </summary>
    private static string Time(string command, int level)
    {
        long seconds = command.EndsWith("AT", StringComparison.Ordinal) ? FutureSeconds + (level * 100) : level * 100;
        var value = command.StartsWith('P') ? seconds * 1000 : seconds;
        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Checks that leave the same bytes on both servers: TTL rounds to seconds; absolute deadlines are exact.</summary>
    private static async Task AssertSameDeadlineAsync(DifferentialRun run, string command, string key)
    {
        await run.AssertSameAsync("TTL", key);
        if (command.EndsWith("AT", StringComparison.Ordinal))
        {
            await run.AssertSameAsync("PEXPIRETIME", key);
        }
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(ExpireCommands))]
    public async Task Expire_OnKeyWithoutTtl_ReturnsOneAndSetsTtl(string command)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), command, key, Time(command, 1));
        await run.AssertReplyAsync(RedisReply.Integer(command.EndsWith("AT", StringComparison.Ordinal) ? FutureSeconds + 100 : 100),
            command.EndsWith("AT", StringComparison.Ordinal) ? "EXPIRETIME" : "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(ExpireCommands))]
    public async Task Expire_OnMissingKey_ReturnsZero(string command)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Integer(0), command, key, Time(command, 1));
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    public static TheoryData<string, string[], bool, int, long> ConditionCases()
    {
        // (options, key has a TTL of level 2 first, new level, reply). A key without TTL counts
        // as an infinite TTL for GT and LT, as Redis documents.
        (string[] Options, bool Volatile, int Level, long Reply)[] cases =
        [
            (["NX"], false, 2, 1),
            (["NX"], true, 3, 0),
            (["XX"], false, 2, 0),
            (["XX"], true, 3, 1),
            (["GT"], false, 3, 0),
            (["GT"], true, 3, 1),
            (["GT"], true, 1, 0),
            (["LT"], false, 1, 1),
            (["LT"], true, 1, 1),
            (["LT"], true, 3, 0),
            (["XX", "GT"], true, 3, 1),
            (["XX", "LT"], false, 1, 0),
            (["gt", "xx"], true, 3, 1),
            (["nx"], false, 2, 1),
            (["NX", "NX"], false, 2, 1),
            (["GT", "GT"], true, 3, 1),
        ];
        var data = new TheoryData<string, string[], bool, int, long>();
        foreach (var command in new[] { "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT" })
        {
            foreach (var (options, isVolatile, level, reply) in cases)
            {
                data.Add(command, options, isVolatile, level, reply);
            }
        }

        // An equal deadline is neither greater nor less. Only absolute times give one: the same
        // relative time a few milliseconds later is a later deadline.
        foreach (var command in new[] { "EXPIREAT", "PEXPIREAT" })
        {
            data.Add(command, ["GT"], true, 2, 0);
            data.Add(command, ["LT"], true, 2, 0);
        }

        return data;
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(ConditionCases))]
    public async Task Expire_WithCondition_AppliesOnlyWhenConditionHolds(string command, string[] options, bool isVolatile, int level, long reply)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        if (isVolatile)
        {
            await run.AssertReplyAsync(RedisReply.Integer(1), command, key, Time(command, 2));
        }

        await run.AssertReplyAsync(RedisReply.Integer(reply), [command, key, Time(command, level), .. options]);
        await AssertSameDeadlineAsync(run, command, key);
    }

    public static TheoryData<string, string[], string> IncompatibleOptions()
    {
        const string NxXx = "ERR NX and XX, GT or LT options at the same time are not compatible";
        const string GtLt = "ERR GT and LT options at the same time are not compatible";
        (string[] Options, string Error)[] cases =
        [
            (["NX", "XX"], NxXx),
            (["XX", "NX"], NxXx),
            (["NX", "GT"], NxXx),
            (["LT", "NX"], NxXx),
            (["nx", "xx"], NxXx),
            (["GT", "LT"], GtLt),
            (["XX", "GT", "LT"], GtLt),
            (["lt", "gt"], GtLt),
            (["foo"], "ERR Unsupported option foo"),
            (["FoO"], "ERR Unsupported option FoO"),
            (["NX", "foo"], "ERR Unsupported option foo"),
            (["100"], "ERR Unsupported option 100"),
        ];
        var data = new TheoryData<string, string[], string>();
        foreach (var command in new[] { "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT" })
        {
            foreach (var (options, error) in cases)
            {
                data.Add(command, options, error);
            }
        }

        return data;
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(IncompatibleOptions))]
    public async Task Expire_WithIncompatibleOrUnknownOptions_ReturnsErrorAndLeavesTtl(string command, string[] options, string error)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Error(error), [command, key, Time(command, 1), .. options]);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(ExpireCommands))]
    public async Task Expire_WithUnknownOptionOnMissingKey_ReturnsError(string command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Error("ERR Unsupported option foo"), command, run.Key(), Time(command, 1), "foo");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EXPIRE", "-1")]
    [InlineData("EXPIRE", "0")]
    [InlineData("PEXPIRE", "0")]
    [InlineData("PEXPIRE", "-100")]
    [InlineData("EXPIREAT", "1")]
    [InlineData("EXPIREAT", "0")]
    [InlineData("EXPIREAT", "-1")]
    [InlineData("PEXPIREAT", "1")]
    [InlineData("PEXPIREAT", "-1000")]
    public async Task Expire_WithNegativeOrPastTime_DeletesKey(string command, string time)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), command, key, time);
        await run.AssertReplyAsync(RedisReply.Nil, "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
        await run.AssertReplyAsync(RedisReply.Integer(-2), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EXPIRE", "-1", "GT")]
    [InlineData("EXPIRE", "0", "GT")]
    [InlineData("EXPIRE", "0", "LT")]
    [InlineData("EXPIRE", "-5", "LT")]
    [InlineData("PEXPIRE", "-1", "XX")]
    [InlineData("PEXPIRE", "-1", "NX")]
    [InlineData("EXPIREAT", "1", "GT")]
    [InlineData("PEXPIREAT", "1", "LT")]
    public async Task Expire_PastTimeWithCondition_MatchesRedis(string command, string time, string option)
    {
        await using var run = await servers.OpenRunAsync();
        var persistent = run.Key("persistent");
        var volatileKey = run.Key("volatile");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", persistent, "v");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", volatileKey, "v", "EX", "100");
        foreach (var key in new[] { persistent, volatileKey })
        {
            await run.AssertSameAsync(command, key, time, option);
            await run.AssertSameAsync("EXISTS", key);
            await run.AssertSameAsync("TTL", key);
        }
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(ExpireCommands))]
    public async Task Expire_WithNegativeTimeOnMissingKey_ReturnsZero(string command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(0), command, run.Key(), "-1");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EXPIRE", "abc")]
    [InlineData("PEXPIRE", "1.5")]
    [InlineData("EXPIREAT", "")]
    [InlineData("PEXPIREAT", "99999999999999999999")]
    [InlineData("EXPIRE", "+1")]
    public async Task Expire_NonIntegerTime_ReturnsNotAnIntegerError(string command, string time)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.NotAnInteger, command, key, time);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Expire_NonIntegerTimeOnMissingKey_ReturnsNotAnIntegerError()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "EXPIRE", run.Key(), "abc");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EXPIRE", "9223372036854775807")]
    [InlineData("EXPIRE", "-9223372036854775808")]
    [InlineData("PEXPIRE", "9223372036854775807")]
    [InlineData("EXPIREAT", "9223372036854775807")]
    [InlineData("EXPIREAT", "-9223372036854775808")]
    public async Task Expire_OverflowingTime_ReturnsInvalidExpireTime(string command, string time)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime(command.ToLowerInvariant()), command, key, time);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("PEXPIREAT", "9223372036854775807")]
    [InlineData("PEXPIRE", "-9223372036854775808")]
    [InlineData("PEXPIREAT", "-9223372036854775808")]
    public async Task Expire_ExtremeMillisecondTime_MatchesRedis(string command, string time)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertSameAsync(command, key, time);
        await run.AssertSameAsync("EXISTS", key);
        await run.AssertSameAsync("PEXPIRETIME", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EXPIRE", "k")]
    [InlineData("PEXPIRE", "k")]
    [InlineData("EXPIREAT", "k")]
    [InlineData("PEXPIREAT", "k")]
    [InlineData("TTL")]
    [InlineData("PTTL", "a", "b")]
    [InlineData("EXPIRETIME")]
    [InlineData("PEXPIRETIME", "a", "b")]
    [InlineData("PERSIST", "a", "b")]
    public async Task ExpireFamily_WithWrongArgumentCount_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity(command[0].ToLowerInvariant()), command);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("TTL")]
    [InlineData("PTTL")]
    [InlineData("EXPIRETIME")]
    [InlineData("PEXPIRETIME")]
    public async Task Ttl_OnMissingKey_ReturnsMinusTwo(string command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Integer(-2), command, run.Key());
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("TTL")]
    [InlineData("PTTL")]
    [InlineData("EXPIRETIME")]
    [InlineData("PEXPIRETIME")]
    public async Task Ttl_OnKeyWithoutTtl_ReturnsMinusOne(string command)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(-1), command, key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Ttl_RoundsRemainingTimeToNearestSecond()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PX", "1800");
        await run.AssertReplyAsync(RedisReply.Integer(2), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ExpireTime_AfterExpireAt_ReturnsThatInstant()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), "EXPIREAT", key, "4102444800");
        await run.AssertReplyAsync(RedisReply.Integer(4102444800), "EXPIRETIME", key);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800000), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ExpireTime_OfMillisecondDeadline_RoundsToNearestSecond()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v");
        await run.AssertReplyAsync(RedisReply.Integer(1), "PEXPIREAT", key, "4102444800600");
        await run.AssertReplyAsync(RedisReply.Integer(4102444801), "EXPIRETIME", key);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800600), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Persist_AfterExpireAt_ClearsExpireTime()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EXAT", "4102444800");
        await run.AssertReplyAsync(RedisReply.Integer(1), "PERSIST", key);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "EXPIRETIME", key);
    }
}

using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>SET and each of its options, compared reply for reply with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class SetCommandTests(DifferentialServersFixture servers)
{
    // Far-future absolute deadlines make EXPIRETIME/PEXPIRETIME replies the same on both servers.
    private const string FutureSeconds = "4102444800";
    private const string FutureMilliseconds = "4102444800123";

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_WithoutOptions_StoresValue()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "value");
        await run.AssertReplyAsync(RedisReply.Bulk("value"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_OnExistingKey_OverwritesValue()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new");
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_EmptyAndBinaryValues_RoundTripExactly()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, string.Empty);
        await run.AssertReplyAsync("$0\r\n\r\n", "GET", key);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "a\r\nb\0c");
        await run.AssertReplyAsync("$6\r\na\r\nb\0c\r\n", "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNx_OnMissingKey_SetsValue()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "NX");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNx_OnExistingKey_ReturnsNilAndKeepsValue()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "new", "NX");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetXx_OnMissingKey_ReturnsNilAndCreatesNothing()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "v", "XX");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetXx_OnExistingKey_Overwrites()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new", "XX");
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetGet_OnMissingKey_ReturnsNilAndSets()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "v", "GET");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetGet_OnExistingKey_ReturnsOldValueAndSets()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "SET", key, "new", "GET");
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNxGet_OnExistingKey_ReturnsOldValueAndDoesNotSet()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "SET", key, "new", "NX", "GET");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNxGet_OnMissingKey_ReturnsNilAndSets()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "new", "GET", "NX");
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetXxGet_OnMissingKey_ReturnsNilAndCreatesNothing()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "new", "XX", "GET");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetEx_SetsTtlInSeconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetPx_SetsTtlInMilliseconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PX", "100000");
        await run.AssertReplyAsync(RedisReply.Integer(100), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetExat_SetsAbsoluteDeadlineInSeconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EXAT", FutureSeconds);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800), "EXPIRETIME", key);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800000), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetPxat_SetsAbsoluteDeadlineInMilliseconds()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetPxat_AtMaximumInt64_IsAcceptedAsDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "PXAT", "9223372036854775807");
        await run.AssertReplyAsync(RedisReply.Integer(long.MaxValue), "PEXPIRETIME", key);
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetKeepTtl_KeepsExistingDeadline()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new", "KEEPTTL");
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
        await run.AssertReplyAsync(RedisReply.Bulk("new"), "GET", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetKeepTtl_OnKeyWithoutTtl_LeavesItPersistent()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new", "KEEPTTL");
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_WithoutKeepTtl_DropsExistingTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old", "EX", "100");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new");
        await run.AssertReplyAsync(RedisReply.Integer(-1), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetNx_Failing_KeepsExistingTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "new", "NX", "EX", "5");
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_ExTwice_LastOneWins()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EX", "10", "EX", "20");
        await run.AssertReplyAsync(RedisReply.Integer(20), "TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("NX", "NX")]
    [InlineData("XX", "XX")]
    [InlineData("GET", "GET")]
    [InlineData("KEEPTTL", "KEEPTTL")]
    [InlineData("PX", "100", "PX", "200000")]
    public async Task Set_SameOptionTwice_IsAccepted(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertSameAsync("SET", key, "old");
        await run.AssertSameAsync(["SET", key, "new", .. options]);
        await run.AssertSameAsync("GET", key);
        await run.AssertSameAsync("TTL", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("nx")]
    [InlineData("Nx")]
    [InlineData("xX")]
    [InlineData("get")]
    [InlineData("gEt")]
    [InlineData("ex", "100")]
    [InlineData("Ex", "100")]
    [InlineData("px", "100000")]
    [InlineData("pX", "100000")]
    [InlineData("exat", FutureSeconds)]
    [InlineData("ExAt", FutureSeconds)]
    [InlineData("pxat", FutureMilliseconds)]
    [InlineData("PxAt", FutureMilliseconds)]
    [InlineData("keepttl")]
    [InlineData("KeepTtl")]
    public async Task Set_OptionInAnyCase_BehavesAsUpperCase(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertSameSequenceAsync(
        [
            ["SET", key, "old", "PXAT", FutureMilliseconds],
            ["SET", key, "new", .. options],
            ["GET", key],
            ["TTL", key],
        ]);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("NX", "XX")]
    [InlineData("XX", "NX")]
    [InlineData("EX", "10", "PX", "100")]
    [InlineData("PX", "100", "EX", "10")]
    [InlineData("KEEPTTL", "EX", "10")]
    [InlineData("EX", "10", "KEEPTTL")]
    [InlineData("KEEPTTL", "PXAT", FutureMilliseconds)]
    [InlineData("EXAT", FutureSeconds, "PXAT", FutureMilliseconds)]
    [InlineData("EX", "10", "EXAT", FutureSeconds)]
    [InlineData("EX")]
    [InlineData("PX")]
    [InlineData("EXAT")]
    [InlineData("PXAT")]
    [InlineData("NX", "EX")]
    [InlineData("FOO")]
    [InlineData("NX", "FOO")]
    [InlineData("EX", "10", "20")]
    public async Task Set_InvalidOptionCombination_ReturnsSyntaxError(params string[] options)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.SyntaxError, ["SET", key, "v", .. options]);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "0")]
    [InlineData("EX", "-1")]
    [InlineData("PX", "0")]
    [InlineData("PX", "-1")]
    [InlineData("EXAT", "0")]
    [InlineData("EXAT", "-1")]
    [InlineData("PXAT", "0")]
    [InlineData("PXAT", "-5")]
    [InlineData("EX", "9223372036854775807")]
    [InlineData("PX", "9223372036854775807")]
    [InlineData("EXAT", "9223372036854775807")]
    [InlineData("EX", "-9223372036854775808")]
    public async Task Set_InvalidExpireTime_ReturnsInvalidExpireTimeError(string option, string value)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime("set"), "SET", key, "v", option, value);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Set_InvalidExpireTime_LeavesExistingValueAndTtl()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old", "PXAT", FutureMilliseconds);
        await run.AssertReplyAsync(RedisReply.InvalidExpireTime("set"), "SET", key, "new", "EX", "0");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(4102444800123), "PEXPIRETIME", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("EX", "abc")]
    [InlineData("EX", "1.5")]
    [InlineData("PX", "1e3")]
    [InlineData("EX", "")]
    [InlineData("EX", " 10")]
    [InlineData("EX", "10 ")]
    [InlineData("EX", "+10")]
    [InlineData("EX", "010")]
    [InlineData("PXAT", "99999999999999999999")]
    [InlineData("EXAT", "0x10")]
    public async Task Set_NonIntegerExpireTime_ReturnsNotAnIntegerError(string option, string value)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.NotAnInteger, "SET", key, "v", option, value);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetExat_InThePast_ReturnsOkAndKeyIsGone()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "v", "EXAT", "1");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetPxat_InThePast_DeletesExistingKey()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "new", "PXAT", "1000");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(-2), "TTL", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetGetExat_InThePast_ReturnsOldValueAndDeletesKey()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "old");
        await run.AssertReplyAsync(RedisReply.Bulk("old"), "SET", key, "new", "EXAT", "1", "GET");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task SetXx_InThePast_OnMissingKey_ReturnsNil()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Nil, "SET", key, "v", "XX", "PXAT", "1");
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("SET")]
    [InlineData("SET", "k")]
    public async Task Set_WithTooFewArguments_ReturnsWrongArity(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.WrongArity("set"), command);
    }

    public static TheoryData<string, string[], string[]> AllCombinations()
    {
        // Every state a key can start in, every condition, with and without GET, every expiry
        // option: what SET replies and what it leaves behind must match redis-server's.
        string[] states = ["missing", "persistent", "volatile"];
        string[][] conditions = [[], ["NX"], ["XX"]];
        string[][] gets = [[], ["GET"]];
        string[][] expiries = [[], ["EX", "100"], ["PX", "100000"], ["EXAT", FutureSeconds], ["PXAT", FutureMilliseconds], ["KEEPTTL"]];
        var data = new TheoryData<string, string[], string[]>();
        foreach (var state in states)
        {
            foreach (var condition in conditions)
            {
                foreach (var get in gets)
                {
                    foreach (var expiry in expiries)
                    {
                        // Options in one order here and the reverse order in the other argument.
                        string[] options = [.. condition, .. get, .. expiry];
                        string[] reversed = [.. expiry, .. get, .. condition];
                        data.Add(state, options, reversed);
                    }
                }
            }
        }

        return data;
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [MemberData(nameof(AllCombinations))]
    public async Task Set_EveryOptionCombination_MatchesRedis(string state, string[] options, string[] reversedOptions)
    {
        await using var run = await servers.OpenRunAsync();
        foreach (var (key, order) in new[] { (run.Key("a"), options), (run.Key("b"), reversedOptions) })
        {
            switch (state)
            {
                case "persistent":
                    await run.AssertSameAsync("SET", key, "old");
                    break;
                case "volatile":
                    await run.AssertSameAsync("SET", key, "old", "EXAT", "4102444900");
                    break;
            }

            await run.AssertSameAsync(["SET", key, "new", .. order]);
            await run.AssertSameAsync("GET", key);
            await run.AssertSameAsync("TTL", key);
            if (!order.Contains("EX") && !order.Contains("PX"))
            {
                // Only absolute or kept deadlines are the same millisecond on both servers.
                await run.AssertSameAsync("PEXPIRETIME", key);
            }
        }
    }
}

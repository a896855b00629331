using System.Text;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Tests.Scripting;

public sealed partial class LuaScriptEngineTests
{
    // Lua -> Redis

    [Fact]
    public void Run_ReturnsIntegerAsIntegerReply()
    {
        Assert.Equal(KvReply.FromInteger(42), Eval("return 42"));
    }

    [Theory]
    [InlineData("return 3.99", 3L)]
    [InlineData("return -3.99", -3L)]
    [InlineData("return 2^53", 9007199254740992L)]
    [InlineData("return 1e30", long.MinValue)]
    [InlineData("return -1e30", long.MinValue)]
    [InlineData("return 0/0", long.MinValue)]
    [InlineData("return math.huge", long.MinValue)]
    public void Run_ReturnsFloatTruncatedTowardZeroAsRedis(string script, long expected)
    {
        Assert.Equal(KvReply.FromInteger(expected), Eval(script));
    }

    [Fact]
    public void Run_ReturnsStringAsBulk()
    {
        Assert.Equal(KvReply.FromBulk("hello"), Eval("return 'hello'"));
    }

    [Fact]
    public void Run_ReturnsBinaryStringBytes()
    {
        KvReply reply = Eval("return '\\0\\255\\r\\n' .. string.char(128)");

        Assert.Equal(KvReply.FromBulk(new byte[] { 0, 255, 13, 10, 128 }), reply);
    }

    [Fact]
    public void Run_ReturnsTrueAsOne()
    {
        Assert.Equal(KvReply.FromInteger(1), Eval("return true"));
    }

    [Fact]
    public void Run_ReturnsFalseAsNil()
    {
        Assert.Equal(KvReply.Nil, Eval("return false"));
    }

    [Theory]
    [InlineData("return nil")]
    [InlineData("return")]
    [InlineData("local x = 1")]
    [InlineData("")]
    [InlineData("return function() end")]
    [InlineData("return coroutine.create(function() end)")]
    public void Run_ReturnsNothingNilOrOtherTypesAsNil(string script)
    {
        Assert.Equal(KvReply.Nil, Eval(script));
    }

    [Fact]
    public void Run_ReturnsOnlyTheFirstValue()
    {
        Assert.Equal(KvReply.FromInteger(1), Eval("return 1, 2"));
    }

    [Fact]
    public void Run_ReturnsTableAsArrayUpToFirstNil()
    {
        KvReply reply = Eval("return {1, 2, nil, 4}");

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(1), KvReply.FromInteger(2)]), reply);
    }

    [Fact]
    public void Run_ReturnsNestedTablesAsNestedArrays()
    {
        KvReply reply = Eval("return {1, {'a', {true, false}}, 'z'}");

        KvReply expected = KvReply.FromArray([
            KvReply.FromInteger(1),
            KvReply.FromArray([KvReply.FromBulk("a"), KvReply.FromArray([KvReply.FromInteger(1), KvReply.Nil])]),
            KvReply.FromBulk("z"),
        ]);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void Run_ReturnsErrorTableAsErrorReply()
    {
        Assert.Equal(KvReply.FromError("MY failure"), Eval("return {err = 'MY failure'}"));
    }

    [Fact]
    public void Run_ReturnsStatusTableAsStatusReply()
    {
        Assert.Equal(KvReply.FromStatus("Fine"), Eval("return {ok = 'Fine'}"));
    }

    [Fact]
    public void Run_ReturnsOkTableAsOk()
    {
        Assert.Equal(KvReply.Ok, Eval("return {ok = 'OK'}"));
    }

    [Fact]
    public void Run_ReturnsTableWithNonStringErrAsItsOtherField()
    {
        Assert.Equal(KvReply.FromStatus("fine"), Eval("return {err = 1, ok = 'fine'}"));
    }

    [Fact]
    public void Run_ReturnsNestedErrorAndStatusTablesAsElements()
    {
        KvReply reply = Eval("return {1, {err = 'E x'}, {ok = 'fine'}}");

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(1), KvReply.FromError("E x"), KvReply.FromStatus("fine")]), reply);
    }

    [Theory]
    [InlineData("return {ok = 'a\\r\\nb'}")]
    [InlineData("return {err = 'a\\r\\nb'}")]
    public void Run_ReplacesLineBreaksInStatusAndErrorWithSpaces(string script)
    {
        Assert.Equal("a  b", Eval(script).Text);
    }

    [Fact]
    public void Run_ReturnsSelfReferencingTableWithStackLimitErrorAtTheBottom()
    {
        KvReply reply = Eval("local t = {} t[1] = t return t");

        int depth = 0;
        while (reply.Kind == KvReplyKind.Array)
        {
            reply = Assert.Single(reply.Items!);
            depth++;
        }

        Assert.Equal(KvReply.FromError("ERR reached lua stack limit"), reply);
        Assert.Equal(new ScriptOptions().MaxReplyDepth, depth);
    }

    [Fact]
    public void Run_ReturnsDoubleTableAsBulkAsForRespTwo()
    {
        Assert.Equal(KvReply.FromBulk("3.5"), Eval("return {double = 3.5}"));
    }

    [Fact]
    public void Run_ReturnsMapTableAsMap()
    {
        Assert.Equal(KvReply.FromMap([KvReply.FromBulk("a"), KvReply.FromInteger(1)]), Eval("return {map = {a = 1}}"));
    }

    [Fact]
    public void Run_ReturnsSetTableAsSet()
    {
        Assert.Equal(KvReply.FromSet([KvReply.FromBulk("a")]), Eval("return {set = {a = true}}"));
    }

    // KEYS and ARGV

    [Fact]
    public void Run_KeysAndArgvHoldTheBytes()
    {
        byte[] key = [0, 255, 13, 10, 0xC3];
        byte[] arg = [];
        KvReply reply = _engine.Run(
            Bytes("return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV}"),
            [key],
            [arg, Bytes("x")],
            _ => KvReply.Nil);

        KvReply expected = KvReply.FromArray([
            KvReply.FromBulk(key), KvReply.FromBulk(arg), KvReply.FromBulk("x"), KvReply.FromInteger(1), KvReply.FromInteger(2),
        ]);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void Run_KeysAndArgvAreThoseOfTheRun()
    {
        using LuaScriptEngine engine = CreateEngine(TestTimeLimit, maxIdleStates: 1);
        Eval(engine, "return 1", keys: ["a", "b"], args: ["c"]);

        KvReply reply = Eval(engine, "return {#KEYS, #ARGV}");

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(0), KvReply.FromInteger(0)]), reply);
    }

    [Fact]
    public void Run_ScriptMayChangeKeysTable()
    {
        Assert.Equal(KvReply.FromBulk("x"), Eval("KEYS[1] = 'x' return KEYS[1]", keys: ["k"]));
    }

    // Redis -> Lua

    [Fact]
    public void Call_IntegerReply_IsLuaInteger()
    {
        KvReply reply = Eval("local v = redis.call('INCR', 'k') return {math.type(v), v}", call: _ => KvReply.FromInteger(7));

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("integer"), KvReply.FromInteger(7)]), reply);
    }

    [Fact]
    public void Call_BulkReply_IsLuaStringWithTheBytes()
    {
        byte[] value = [0, 1, 255];

        KvReply reply = Eval("local v = redis.call('GET', 'k') return {type(v), #v, v}", call: _ => KvReply.FromBulk(value));

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("string"), KvReply.FromInteger(3), KvReply.FromBulk(value)]), reply);
    }

    [Theory]
    [InlineData(KvReplyKind.Nil)]
    [InlineData(KvReplyKind.NilArray)]
    public void Call_NilReply_IsFalse(KvReplyKind kind)
    {
        KvReply nil = kind == KvReplyKind.Nil ? KvReply.Nil : KvReply.NilArray;

        KvReply reply = Eval("local v = redis.call('GET', 'k') return {type(v), tostring(v)}", call: _ => nil);

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("boolean"), KvReply.FromBulk("false")]), reply);
    }

    [Fact]
    public void Call_ArrayReply_IsTableRecursively()
    {
        KvReply array = KvReply.FromArray([
            KvReply.FromInteger(1),
            KvReply.FromArray([KvReply.FromBulk("a"), KvReply.Nil]),
            KvReply.FromStatus("QUEUED"),
        ]);

        KvReply reply = Eval(
            "local v = redis.call('X') return {#v, v[1], v[2][1], tostring(v[2][2]), v[3].ok}",
            call: _ => array);

        KvReply expected = KvReply.FromArray([
            KvReply.FromInteger(3), KvReply.FromInteger(1), KvReply.FromBulk("a"), KvReply.FromBulk("false"), KvReply.FromBulk("QUEUED"),
        ]);
        Assert.Equal(expected, reply);
    }

    [Fact]
    public void Call_ArrayReply_ReturnedAsIs_IsSameArray()
    {
        KvReply array = KvReply.FromArray([KvReply.FromBulk("a"), KvReply.FromInteger(2)]);

        Assert.Equal(array, Eval("return redis.call('X')", call: _ => array));
    }

    [Fact]
    public void Call_MapReply_IsFlatTable()
    {
        KvReply map = KvReply.FromMap([KvReply.FromBulk("f"), KvReply.FromBulk("v")]);

        KvReply reply = Eval("local v = redis.call('HGETALL', 'h') return {#v, v[1], v[2]}", call: _ => map);

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(2), KvReply.FromBulk("f"), KvReply.FromBulk("v")]), reply);
    }

    [Fact]
    public void Call_StatusReply_IsOkTable()
    {
        KvReply reply = Eval("local v = redis.call('SET', 'k', 'v') return {type(v), v.ok}", call: _ => KvReply.Ok);

        Assert.Equal(KvReply.FromArray([KvReply.FromBulk("table"), KvReply.FromBulk("OK")]), reply);
    }

    [Fact]
    public void Call_StatusReply_ReturnedAsIs_IsStatus()
    {
        Assert.Equal(KvReply.FromStatus("PONG"), Eval("return redis.call('PING')", call: _ => KvReply.FromStatus("PONG")));
    }

    [Fact]
    public void Call_PassesCommandAndArgumentsAsRedisWritesThem()
    {
        byte[][]? seen = null;

        Eval(
            "return redis.call('SET', KEYS[1], 10, 3.0, 3.5, 0.1, -0.0, 1e20, 2^63, 1/0, '')",
            keys: ["\u00e9"],
            call: argv =>
            {
                seen = argv;
                return KvReply.Ok;
            });

        string[] expected = ["SET", "\u00e9", "10", "3", "3.5", "0.10000000000000001", "-0", "1e+20", "9.2233720368547758e+18", "inf", ""];
        Assert.Equal(expected, seen!.Select(a => Encoding.UTF8.GetString(a)));
    }

    [Fact]
    public void Call_InsideCoroutine_Works()
    {
        KvReply reply = Eval(
            "return coroutine.wrap(function() return redis.call('GET', 'k') end)()",
            call: _ => KvReply.FromBulk("v"));

        Assert.Equal(KvReply.FromBulk("v"), reply);
    }
}

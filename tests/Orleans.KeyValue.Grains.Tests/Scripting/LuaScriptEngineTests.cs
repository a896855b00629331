using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Tests.Scripting;

/// <summary>
/// The engine against Redis 7.0.15's behaviour (texts checked by hand with redis-server). Scripts in these
/// tests are bounded by the engine's own time limit; the tests of that limit also carry an xunit timeout.
/// </summary>
public sealed partial class LuaScriptEngineTests : IDisposable
{
    private static readonly TimeSpan TestTimeLimit = TimeSpan.FromSeconds(10);

    private readonly LuaScriptEngine _engine = CreateEngine(TestTimeLimit);

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void Sha1Hex_OfKnownStrings_MatchesRedis()
    {
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", LuaScriptEngine.Sha1Hex("return 1"u8));
        Assert.Equal("da39a3ee5e6b4b0d3255bfef95601890afd80709", LuaScriptEngine.Sha1Hex([]));
    }

    [Fact]
    public void Load_ValidScript_ReturnsSha()
    {
        KvReply reply = _engine.Load(Bytes("return 1"));

        Assert.Equal(KvReply.FromBulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"), reply);
    }

    [Fact]
    public void Load_ValidScript_IsThenKnownCaseInsensitively()
    {
        _engine.Load(Bytes("return 1"));

        Assert.True(_engine.Exists("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"u8));
        Assert.True(_engine.Exists("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"u8));
    }

    [Fact]
    public void TryGetBody_AfterLoad_ReturnsTheBody()
    {
        _engine.Load(Bytes("return 1"));

        Assert.True(_engine.TryGetBody("E0E1F9fabfc9d4800c877a703b823ac0578ff8db"u8, out byte[]? body));
        Assert.Equal("return 1", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("e0e1f9fabfc9d4800c877a703b823ac0578ff8db")]
    [InlineData("e0e1f9")]
    [InlineData("")]
    public void Exists_UnknownSha_IsFalse(string sha)
    {
        Assert.False(_engine.Exists(Bytes(sha)));
        Assert.False(_engine.TryGetBody(Bytes(sha), out _));
    }

    [Fact]
    public void Load_CompileError_RepliesLikeRedisAndIsNotKept()
    {
        KvReply reply = _engine.Load(Bytes("return 1 +"));

        Assert.Equal(KvReply.FromError("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'"), reply);
        Assert.False(_engine.Exists(Bytes(LuaScriptEngine.Sha1Hex(Bytes("return 1 +")))));
    }

    [Fact]
    public void Run_CompileError_RepliesLikeRedis()
    {
        KvReply reply = Eval("return 1 +");

        Assert.Equal(KvReply.FromError("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'"), reply);
    }

    [Fact]
    public void Run_NewScript_IsThenKnown()
    {
        Eval("return 2");

        Assert.True(_engine.Exists(Bytes(LuaScriptEngine.Sha1Hex(Bytes("return 2")))));
    }

    [Fact]
    public void Flush_ForgetsLoadedScripts()
    {
        _engine.Load(Bytes("return 1"));

        _engine.Flush();

        Assert.False(_engine.Exists("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"u8));
        Assert.False(_engine.TryGetBody("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"u8, out _));
    }

    [Fact]
    public void Run_AfterFlush_CompilesAgain()
    {
        using LuaScriptEngine engine = CreateEngine(TestTimeLimit, maxIdleStates: 1);
        Assert.Equal(KvReply.FromInteger(1), Eval(engine, "return 1"));

        engine.Flush();

        Assert.Equal(KvReply.FromInteger(1), Eval(engine, "return 1"));
        Assert.True(engine.Exists("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"u8));
    }

    [Fact]
    public void Run_SameScriptTwice_GivesSameAnswer()
    {
        Assert.Equal(KvReply.FromBulk("b"), Eval("return ARGV[1]", args: ["b"]));
        Assert.Equal(KvReply.FromBulk("c"), Eval("return ARGV[1]", args: ["c"]));
    }

    [Fact]
    public void Run_WithShebang_RunsAndKeepsLineNumbers()
    {
        const string Script = "#!lua flags=no-writes,allow-oom\nerror('x')";

        KvReply reply = Eval(Script);

        Assert.Equal(KvReply.FromError($"ERR user_script:2: x script: {Sha(Script)}, on @user_script:2."), reply);
    }

    [Theory]
    [InlineData("#!lua flags=bogus\nreturn 1", "ERR Unexpected flag in script shebang: bogus")]
    [InlineData("#!py\nreturn 1", "ERR Unexpected engine in script shebang: #!py")]
    [InlineData("#!lua", "ERR Invalid script shebang")]
    [InlineData("#!lua name=x\nreturn 1", "ERR Unknown lua shebang option: name=x")]
    public void Run_WithBadShebang_RepliesLikeRedis(string script, string error)
    {
        Assert.Equal(KvReply.FromError(error), Eval(script));
    }

    [Fact]
    public void Run_FromEightThreads_GivesEachCallerItsAnswer()
    {
        const int Callers = 8;
        const int RunsPerCaller = 50;
        var failures = new ConcurrentQueue<string>();

        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, caller =>
        {
            for (int run = 0; run < RunsPerCaller; run++)
            {
                string key = $"key-{caller}";
                string arg = $"arg-{caller}-{run}";
                KvReply reply = _engine.Run(
                    Bytes("local echoed = redis.call('ECHO', ARGV[1]) return {KEYS[1], echoed, #ARGV}"),
                    [Bytes(key)],
                    [Bytes(arg)],
                    argv => KvReply.FromBulk(argv[1]));
                KvReply expected = KvReply.FromArray([KvReply.FromBulk(key), KvReply.FromBulk(arg), KvReply.FromInteger(1)]);
                if (reply != expected)
                {
                    failures.Enqueue($"caller {caller} run {run}: {reply}");
                }
            }
        });

        Assert.Empty(failures);
    }

    [Fact]
    public void Run_CallThatThrows_RethrowsAndEngineStillWorks()
    {
        using LuaScriptEngine engine = CreateEngine(TestTimeLimit, maxIdleStates: 1);

        var thrown = Assert.Throws<InvalidOperationException>(() => Eval(
            engine,
            "pcall(redis.call, 'x') while true do end",
            call: _ => throw new InvalidOperationException("grain failed")));

        Assert.Equal("grain failed", thrown.Message);
        Assert.Equal(KvReply.FromInteger(1), Eval(engine, "return 1"));
    }

    [Fact]
    public void Dispose_ThenRun_Throws()
    {
        LuaScriptEngine engine = CreateEngine(TestTimeLimit);
        engine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Eval(engine, "return 1"));
    }

    private static LuaScriptEngine CreateEngine(TimeSpan timeLimit, int maxIdleStates = 8, TimeProvider? timeProvider = null) =>
        new(Options.Create(new ScriptOptions { TimeLimit = timeLimit, MaxIdleStates = maxIdleStates }), timeProvider ?? TimeProvider.System);

    private KvReply Eval(string script, string[]? keys = null, string[]? args = null, Func<byte[][], KvReply>? call = null) =>
        Eval(_engine, script, keys, args, call);

    private static KvReply Eval(
        LuaScriptEngine engine,
        string script,
        string[]? keys = null,
        string[]? args = null,
        Func<byte[][], KvReply>? call = null) =>
        engine.Run(
            Bytes(script),
            (keys ?? []).Select(Bytes).ToArray(),
            (args ?? []).Select(Bytes).ToArray(),
            call ?? (argv => KvReply.FromError("ERR Unknown Redis command called from script")));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Sha(string script) => LuaScriptEngine.Sha1Hex(Bytes(script));
}

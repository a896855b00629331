using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Tests.Scripting;

public sealed partial class LuaScriptEngineTests
{
    // Tests of the time limit use real time (200 ms, TimeProvider.System: the limit is what is under test) or a
    // manual clock moved by the script's own call. They run off the test thread so that xunit's timeout can
    // fail them should the limit not stop the script.
    private const int TimeLimitTestTimeout = 30_000;

    private static readonly TimeSpan ShortTimeLimit = TimeSpan.FromMilliseconds(200);

    private static readonly KvReply TimeLimitError = KvReply.FromError("ERR Script exceeded the time limit of 200 ms and was stopped");

    [Theory(Timeout = TimeLimitTestTimeout)]
    [InlineData("while true do end")]
    [InlineData("while true do pcall(function() while true do end end) end")]
    [InlineData("local ok = pcall(function() while true do end end) return 'swallowed'")]
    [InlineData("while true do pcall(error, 'x') end")]
    [InlineData("local t = {} for i = 1, 100 do t[i] = i end table.sort(t, function(a, b) while true do end end)")]
    [InlineData("coroutine.wrap(function() while true do end end)()")]
    [InlineData("while true do local co = coroutine.create(function() while true do end end) coroutine.resume(co) end")]
    [InlineData("while true do xpcall(function() while true do end end, function() while true do end end) end")]
    [InlineData("local function f() return f() end while true do pcall(f) end")]
    public async Task Run_RunawayScript_IsStoppedAtTheTimeLimit(string script)
    {
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit);

        KvReply reply = await RunOffThreadAsync(() => Eval(engine, script));

        Assert.Equal(TimeLimitError, reply);
    }

    [Fact(Timeout = TimeLimitTestTimeout)]
    public async Task Run_AfterTimeLimit_SameStateRunsNextScript()
    {
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit, maxIdleStates: 1);
        await RunOffThreadAsync(() => Eval(engine, "while true do end"));

        KvReply reply = await RunOffThreadAsync(() => Eval(engine, "local n = 0 for i = 1, 100000 do n = n + i end return {n, KEYS[1]}", keys: ["k"]));

        Assert.Equal(KvReply.FromArray([KvReply.FromInteger(5000050000), KvReply.FromBulk("k")]), reply);
    }

    [Fact(Timeout = TimeLimitTestTimeout)]
    public async Task Run_ClockPastTimeLimit_StopsScript()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit, timeProvider: clock);

        KvReply reply = await RunOffThreadAsync(() => Eval(engine, "redis.call('TICK') while true do end", call: _ =>
        {
            clock.Advance(ShortTimeLimit + TimeSpan.FromMilliseconds(1));
            return KvReply.Ok;
        }));

        Assert.Equal(TimeLimitError, reply);
    }

    [Fact(Timeout = TimeLimitTestTimeout)]
    public async Task Run_ClockAtTimeLimit_LetsScriptFinish()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit, timeProvider: clock);

        KvReply reply = await RunOffThreadAsync(() => Eval(engine, "redis.call('TICK') for i = 1, 100000 do end return 1", call: _ =>
        {
            clock.Advance(ShortTimeLimit);
            return KvReply.Ok;
        }));

        Assert.Equal(KvReply.FromInteger(1), reply);
    }

    [Fact(Timeout = TimeLimitTestTimeout)]
    public async Task Run_CallAfterTimeLimit_IsNotRun()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit, timeProvider: clock);
        int calls = 0;

        KvReply reply = await RunOffThreadAsync(() => Eval(engine, "redis.call('TICK') pcall(redis.call, 'TICK') return 1", call: _ =>
        {
            calls++;
            clock.Advance(ShortTimeLimit + TimeSpan.FromMilliseconds(1));
            return KvReply.Ok;
        }));

        Assert.Equal(TimeLimitError, reply);
        Assert.Equal(1, calls);
    }

    [Fact(Timeout = TimeLimitTestTimeout)]
    public async Task Run_RunawayScriptsOnSeveralThreads_AreAllStopped()
    {
        using LuaScriptEngine engine = CreateEngine(ShortTimeLimit);

        KvReply[] replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunOffThreadAsync(() => Eval(engine, "while true do end"))));

        Assert.All(replies, reply => Assert.Equal(TimeLimitError, reply));
    }

    // Off the test thread, so that a script the limit fails to stop cannot keep xunit's timeout from firing.
    private static Task<KvReply> RunOffThreadAsync(Func<KvReply> run) =>
        Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

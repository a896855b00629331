namespace Orleans.KeyValue.Grains.Tests.Scripting;

public sealed partial class LuaScriptEngineTests
{
    [Theory]
    [InlineData("os")]
    [InlineData("io")]
    [InlineData("require")]
    [InlineData("package")]
    [InlineData("dofile")]
    [InlineData("loadfile")]
    [InlineData("debug")]
    [InlineData("print")]
    public void Run_RemovedGlobal_IsNonexistentAsInRedis(string name)
    {
        string script = $"return {name}";

        KvReply reply = Eval(script);

        Assert.Equal(
            KvReply.FromError($"ERR user_script:1: Script attempted to access nonexistent global variable '{name}' script: {Sha(script)}, on @user_script:1."),
            reply);
    }

    [Fact]
    public void Run_ReadingMissingGlobal_RepliesLikeRedis()
    {
        Assert.Equal(
            KvReply.FromError("ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: e278681ed961e2fb52881313e5c90fdd93749940, on @user_script:1."),
            Eval("return y"));
    }

    [Fact]
    public void Run_CreatingGlobal_RepliesLikeRedis()
    {
        Assert.Equal(
            KvReply.FromError("ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1."),
            Eval("x = 1"));
    }

    [Fact]
    public void Run_ModifyingLibraryTable_RepliesLikeRedis()
    {
        Assert.Equal(
            KvReply.FromError("ERR user_script:1: Attempt to modify a readonly table script: b44271bf7751d6ba54f0b1af2dec0d8088a1ecc2, on @user_script:1."),
            Eval("string.foo = 1; return 1"));
    }

    [Fact]
    public void Run_RawsetOnGlobals_RepliesLikeRedis()
    {
        Assert.Equal(
            KvReply.FromError("ERR Attempt to modify a readonly table script: e068097f82e9f4a7bbf2d39eb91f78fec91f9301, on @user_script:1."),
            Eval("rawset(_G, 'x', 1) return 1"));
    }

    [Fact]
    public void Run_SetmetatableOnGlobals_RepliesLikeRedis()
    {
        Assert.Equal(
            KvReply.FromError("ERR Attempt to modify a readonly table script: c122f21771d632cc334af0c2a37dd028f1a230b7, on @user_script:1."),
            Eval("setmetatable(_G, nil) return 1"));
    }

    [Fact]
    public void Run_ChangesAttemptedByOneScript_AreNotSeenByTheNext()
    {
        using var engine = CreateEngine(TestTimeLimit, maxIdleStates: 1);
        Eval(engine, """
            pcall(function() x = 1 end)
            pcall(function() _G.redis = nil end)
            pcall(function() string.rep = nil end)
            pcall(rawset, string, 'rep', nil)
            pcall(function() getmetatable('').__index = nil end)
            pcall(function() getmetatable('').__index.upper = nil end)
            pcall(setmetatable, math, nil)
            collectgarbage('stop')
            """);

        KvReply reply = Eval(engine, "return {string.rep('a', 2), ('b'):upper(), type(redis.call), math.floor(1.5), tostring((pcall(function() return x end)))}");

        Assert.Equal(
            KvReply.FromArray([KvReply.FromBulk("aa"), KvReply.FromBulk("B"), KvReply.FromBulk("function"), KvReply.FromInteger(1), KvReply.FromBulk("false")]),
            reply);
    }

    [Fact]
    public void Run_LibrariesStillIterate()
    {
        Assert.Equal(KvReply.FromBulk("function"), Eval("for k, v in pairs(string) do if k == 'rep' then return type(v) end end"));
    }

    [Fact]
    public void Run_RedisFiveOneNames_Exist()
    {
        Assert.Equal(
            KvReply.FromArray([KvReply.FromInteger(3), KvReply.FromInteger(2)]),
            Eval("local a, b = unpack({3, 2}) return {a, loadstring('return ' .. b)()}"));
    }

    [Fact]
    public void Run_LoadOfBinaryChunk_IsRefused()
    {
        KvReply reply = Eval("local f, e = load(string.dump(function() return 1 end)) return {tostring(f), e}");

        Assert.Equal(
            KvReply.FromArray([KvReply.FromBulk("nil"), KvReply.FromBulk("attempt to load a binary chunk (mode is 't')")]),
            reply);
    }

    [Fact]
    public void Run_LoadedChunk_HasProtectedGlobalsToo()
    {
        Assert.Equal(
            KvReply.FromBulk("Attempt to modify a readonly table"),
            Eval("local ok, e = pcall(load('z = 1')) return string.match(e, 'Attempt.*')"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_GcMetamethod_IsIgnoredAsInLuaFiveOne()
    {
        // A finalizer would run with hooks off, beyond the time limit's reach; Redis's Lua 5.1 ignores it.
        KvReply reply = await RunOffThreadAsync(() => Eval(
            "setmetatable({}, {__gc = function() while true do end end}) collectgarbage() collectgarbage() return 1"));

        Assert.Equal(KvReply.FromInteger(1), reply);
    }
}

using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// Redis 7.0 functions (FUNCTION LOAD/LIST/DELETE/FLUSH/STATS/DUMP/RESTORE/KILL, FCALL, FCALL_RO)
/// compared byte for byte with redis-server. Libraries are server-wide: every test starts and
/// ends with FUNCTION FLUSH on both servers (the differential tests run one at a time). Redis lists
/// a library's functions in its hash table's order, seeded at random per process: the listings
/// compared here are of one-function libraries.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class FunctionTests(DifferentialServersFixture servers)
{
    private const string Library = """
        #!lua name=mylib
        local function echo(keys, args) return args[1] end
        redis.register_function('myecho', echo)
        redis.register_function{function_name='myget', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}
        redis.register_function('myset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
        """;

    private const string OneFunction = """
        #!lua name=mylib
        redis.register_function{function_name='myecho', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='echoes'}
        """;

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task LoadAndCall_MatchRedis()
    {
        await using var run = await OpenAsync();
        string a = run.Key("{t}a"), b = run.Key("{t}b");
        await run.AssertReplyAsync(RedisReply.Bulk("mylib"), "FUNCTION", "LOAD", Library);
        await run.AssertSameAsync("FCALL", "myecho", "0", "hello");
        await run.AssertSameAsync("FCALL", "MYECHO", "0", "any case");
        await run.AssertSameAsync("FCALL", "myset", "1", a, "v");
        await run.AssertSameAsync("FCALL", "myget", "1", a);
        await run.AssertSameAsync("FCALL_RO", "myget", "1", a);
        await run.AssertSameAsync("FCALL_RO", "myset", "1", a, "w");
        await run.AssertSameAsync("FCALL", "nope", "0");
        await run.AssertSameAsync("FCALL", "myecho", "-1");
        await run.AssertSameAsync("FCALL", "myecho", "3", "x");
        await run.AssertSameAsync("FCALL", "myecho");
        await run.AssertSameAsync("GET", a);

        // Two keys of one slot, as a script over a slot.
        await run.AssertSameAsync("FUNCTION", "LOAD", """
            #!lua name=two
            redis.register_function('swap', function(keys, args)
              local x, y = redis.call('GET', keys[1]), redis.call('GET', keys[2])
              redis.call('SET', keys[1], y or 'none') redis.call('SET', keys[2], x or 'none')
              return {redis.call('GET', keys[1]), redis.call('GET', keys[2])}
            end)
            redis.register_function{function_name='readonly_writes', callback=function(keys) return redis.call('SET', keys[1], 'x') end, flags={'no-writes'}}
            """);
        await run.AssertSameAsync("FCALL", "swap", "2", a, b);
        await run.AssertSameAsync("FCALL", "readonly_writes", "1", a);
        await run.AssertSameAsync("FCALL", "swap", "2", a, b);
        await FlushAsync(run);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("return 1")]
    [InlineData("#!lua")]
    [InlineData("#!lua name=x")]
    [InlineData("#!lua name=a foo=bar\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!lua name=a name=b\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!lua\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!js name=a\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!lua name=a-b\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!LUA  name=up\nredis.register_function('f', function() return 1 end)")]
    [InlineData("#!lua name=empty\nlocal x = 1")]
    [InlineData("#!lua name=bad\nredis.register_function('z', function() return 1 end")]
    [InlineData("#!lua name=calls\nredis.call('SET','a','b')")]
    [InlineData("#!lua name=glob\nx = 5\nredis.register_function('g', function() return 1 end)")]
    [InlineData("#!lua name=r1\nredis.register_function()")]
    [InlineData("#!lua name=r2\nredis.register_function('a')")]
    [InlineData("#!lua name=r3\nredis.register_function('a-b', function() end)")]
    [InlineData("#!lua name=r4\nredis.register_function{function_name='x', callback=function() end, bogus=1}")]
    [InlineData("#!lua name=r5\nredis.register_function{callback=function() end}")]
    [InlineData("#!lua name=r6\nredis.register_function('a', 5)")]
    [InlineData("#!lua name=r7\nredis.register_function('a', function() end)\nredis.register_function('a', function() end)")]
    [InlineData("#!lua name=r8\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}")]
    [InlineData("#!lua name=r9\nredis.register_function{function_name='f', callback=function() end, flags={'no-writes', 'allow-oom'}, description='d'}")]
    [InlineData("#!lua name=r10\nredis.register_function{function_name='f', callback=function() end, flags='no-writes'}")]
    [InlineData("#!lua name=r11\nredis.register_function{function_name='f', callback=function() end, description=5}")]
    [InlineData("#!lua name=r12\nredis.register_function{function_name=5, callback=function() end}")]
    [InlineData("#!lua name=r13\nredis.register_function(5, function() end)")]
    [InlineData("#!lua name=r14\nredis.register_function('a', function() end, 3)")]
    [InlineData("#!lua name=r15\nredis.log(redis.LOG_NOTICE, 'loading')\nredis.register_function('a', function() end)")]
    public async Task Load_ChecksAsRedis(string code)
    {
        await using var run = await OpenAsync();
        await run.AssertSameAsync("FUNCTION", "LOAD", code);
        await run.AssertSameAsync("FUNCTION", "LIST");
        await FlushAsync(run);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ListDeleteStatsAndOptions_MatchRedis()
    {
        await using var run = await OpenAsync();
        await run.AssertSameAsync("FUNCTION", "LOAD", OneFunction);
        await run.AssertSameAsync("FUNCTION", "LOAD", OneFunction);
        await run.AssertSameAsync("FUNCTION", "LOAD", "REPLACE", OneFunction);
        await run.AssertSameAsync("FUNCTION", "LOAD", "BOGUS", OneFunction);
        await run.AssertSameAsync("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('myecho', function() return 2 end)");
        await run.AssertSameAsync("FUNCTION", "LIST", "WITHCODE");
        await run.AssertSameAsync("FUNCTION", "LIST", "LIBRARYNAME", "MY*");
        await run.AssertSameAsync("FUNCTION", "LIST", "LIBRARYNAME", "nothing*", "WITHCODE");
        await run.AssertSameAsync("FUNCTION", "LIST", "LIBRARYNAME");
        await run.AssertSameAsync("FUNCTION", "LIST", "WITHCODE", "WITHCODE");
        await run.AssertSameAsync("FUNCTION", "LIST", "bogus");
        await run.AssertSameAsync("FUNCTION", "STATS");
        await run.AssertSameAsync("FUNCTION", "KILL");
        await run.AssertSameAsync("FUNCTION", "FLUSH", "bogus");
        await run.AssertSameAsync("FUNCTION", "DELETE", "nope");
        await run.AssertSameAsync("FUNCTION", "DELETE", "mylib");
        await run.AssertSameAsync("FCALL", "myecho", "0", "x");
        await run.AssertSameAsync("FUNCTION", "STATS");
        await run.AssertSameAsync("FUNCTION", "BOGUS");

        await run.BothAsync("HELLO", "3");
        await run.AssertSameAsync("FUNCTION", "LOAD", OneFunction);
        await run.AssertSameAsync("FUNCTION", "LIST", "LIBRARYNAME", "mylib");
        await run.AssertSameAsync("FUNCTION", "STATS");
        await FlushAsync(run);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ErrorsInsideFunctions_MatchRedis()
    {
        await using var run = await OpenAsync();
        await run.AssertSameAsync("FUNCTION", "LOAD", """
            #!lua name=errs
            redis.register_function('e1', function(keys, args) return redis.call('nocmd') end)
            redis.register_function('e2', function(keys, args) error('boom') end)
            redis.register_function('e3', function(keys, args) return #keys .. ':' .. #args end)
            redis.register_function('e4', function(keys, args) return KEYS end)
            redis.register_function('e5', function(keys, args) return redis.pcall('INCR', keys[1]) end)
            redis.register_function('e6', function(keys, args) return redis.error_reply('MY custom') end)
            """);
        foreach (var call in new[] { new[] { "FCALL", "e1", "0" }, ["FCALL", "e2", "0"], ["FCALL", "e3", "2", run.Key("{t}a"), run.Key("{t}b"), "c"], ["FCALL", "e4", "0"], ["FCALL", "e6", "0"] })
        {
            await run.AssertSameAsync(call);
        }

        await run.AssertSameAsync("SET", run.Key("s"), "text");
        await run.AssertSameAsync("FCALL", "e5", "1", run.Key("s"));
        await FlushAsync(run);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task DumpAndRestore_MoveLibrariesBothWays()
    {
        await using var run = await OpenAsync();
        await run.AssertSameAsync("FUNCTION", "LOAD", OneFunction);

        // Redis's payload (LZF-compressed) restores here, and ours (uncompressed) there.
        var redisDump = await run.Expected.CommandAsync("FUNCTION", "DUMP");
        var ourDump = await run.Actual.CommandAsync("FUNCTION", "DUMP");
        var theirs = BulkOf(redisDump);
        var ours = BulkOf(ourDump);
        await run.AssertSameAsync("FUNCTION", "FLUSH");
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", theirs));
        await run.AssertSameAsync("FUNCTION", "LIST", "WITHCODE");
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", ours));
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", ours, "REPLACE"));
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", theirs, "FLUSH"));
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", theirs, "BOGUS"));
        await run.AssertSameAsync(Command("FUNCTION", "RESTORE", "x"u8.ToArray()));
        await run.AssertSameAsync("FUNCTION", "LIST", "WITHCODE");
        await run.AssertSameAsync("FCALL", "myecho", "0", "restored");
        await FlushAsync(run);
    }

    private static byte[][] Command(string a, string b, byte[] payload, string? policy = null) =>
        policy is null ? [Bytes(a), Bytes(b), payload] : [Bytes(a), Bytes(b), payload, Bytes(policy)];

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>The bytes of a bulk string reply ($n\r\n...\r\n).</summary>
    private static byte[] BulkOf(byte[] reply)
    {
        var header = Array.IndexOf(reply, (byte)'\n') + 1;
        var length = int.Parse(System.Text.Encoding.ASCII.GetString(reply, 1, header - 3), System.Globalization.CultureInfo.InvariantCulture);
        return reply.AsSpan(header, length).ToArray();
    }

    private async Task<DifferentialRun> OpenAsync()
    {
        var run = await servers.OpenRunAsync();
        await FlushAsync(run);
        return run;
    }

    private static async Task FlushAsync(DifferentialRun run) => await run.AssertSameAsync("FUNCTION", "FLUSH");
}

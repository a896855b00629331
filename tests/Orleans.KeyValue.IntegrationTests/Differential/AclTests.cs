using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// ACL users, compared byte for byte with a redis-server 7.0.15 started with the same users.
/// Tests that change users name their own, so the servers' user lists stay alike whatever order
/// the tests run in.
/// </summary>
[Collection(AclCollection.Name)]
public sealed class AclTests(AclServersFixture servers)
{
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private const string NoAuth = "-NOAUTH Authentication required.\r\n";
    private const string NoPermKey = "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";

    private static string NoPermCommand(string name) => $"-NOPERM this user has no permissions to run the '{name}' command\r\n";

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("cacher", AclServersFixture.CacherPassword)]
    [InlineData("default", AclServersFixture.DefaultPassword)]
    public async Task Auth_WithUserAndRightPassword_RunsAsThatUser(string user, string password)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, password);
        await run.AssertReplyAsync(RedisReply.Bulk(user), "ACL", "WHOAMI");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("reader", "wrong")]
    [InlineData("nobody", AclServersFixture.ReaderPassword)]
    [InlineData("disabled", AclServersFixture.DisabledPassword)]
    [InlineData("reader", AclServersFixture.CacherPassword)]
    public async Task Auth_WithWrongPairOrDisabledUser_ReturnsWrongPass(string user, string password)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(WrongPass, "AUTH", user, password);
        await run.AssertReplyAsync(NoAuth, "GET", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_DefaultUserWithRequirePass_TakesThePasswordAlone()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(NoAuth, "ACL", "WHOAMI");
        await run.AssertReplyAsync(WrongPass, "AUTH", "wrong");
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertReplyAsync(RedisReply.Bulk("default"), "ACL", "WHOAMI");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Auth_AsAnotherUser_SwitchesUser()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "reader", AclServersFixture.ReaderPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "cacher", AclServersFixture.CacherPassword);
        await run.AssertReplyAsync(RedisReply.Bulk("cacher"), "ACL", "WHOAMI");
        await run.AssertReplyAsync(WrongPass, "AUTH", "reader", "wrong");
        await run.AssertReplyAsync(RedisReply.Bulk("cacher"), "ACL", "WHOAMI");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task HelloAuth_WithUser_AuthenticatesAndSwitchesToResp3()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3", "AUTH", "cacher", AclServersFixture.CacherPassword);
        await run.AssertReplyAsync(RedisReply.Bulk("cacher"), "ACL", "WHOAMI");
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("reader", "wrong")]
    [InlineData("disabled", AclServersFixture.DisabledPassword)]
    public async Task HelloAuth_WithWrongPair_ReturnsWrongPass(string user, string password)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(WrongPass, "HELLO", "3", "AUTH", user, password);
        await run.AssertReplyAsync(NoAuth, "GET", run.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task ReadOnlyUser_IsRefusedWrites_AndServedReads()
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "reader", AclServersFixture.ReaderPassword);
        await run.AssertReplyAsync(NoPermCommand("set"), "SET", key, "v");
        await run.AssertReplyAsync(NoPermCommand("hset"), "HSET", key, "f", "v");
        await run.AssertReplyAsync(NoPermCommand("del"), "DEL", key);
        await run.AssertReplyAsync(NoPermCommand("config|get"), "CONFIG", "GET", "maxmemory");
        await run.AssertReplyAsync(NoPermCommand("acl|list"), "ACL", "LIST");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", key);
        await run.AssertReplyAsync(RedisReply.Integer(0), "EXISTS", key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task KeyPatternUser_IsRefusedKeysOutsideItsPattern()
    {
        await using var run = await servers.OpenRunAsync();
        var inside = "cache:" + run.Key();
        var outside = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "cacher", AclServersFixture.CacherPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "SET", inside, "v");
        await run.AssertReplyAsync(RedisReply.Bulk("v"), "GET", inside);
        await run.AssertReplyAsync(NoPermKey, "SET", outside, "v");
        await run.AssertReplyAsync(NoPermKey, "GET", outside);
        await run.AssertReplyAsync(NoPermKey, "EXISTS", inside, outside);
        await run.AssertReplyAsync(NoPermKey, "EVAL", "return 1", "1", outside);
        await run.AssertReplyAsync(RedisReply.Integer(1), "EVAL", "return 1", "1", inside);
        await run.AssertReplyAsync(NoPermCommand("keys"), "KEYS", "*");
        await run.AssertReplyAsync(RedisReply.Integer(1), "DEL", inside);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Multi_RefusedCommand_IsRefusedAtQueueTime_AndAbortsExec()
    {
        await using var run = await servers.OpenRunAsync();
        var inside = "cache:" + run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "cacher", AclServersFixture.CacherPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "MULTI");
        await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "SET", inside, "v");
        await run.AssertReplyAsync(NoPermKey, "GET", run.Key());
        await run.AssertReplyAsync("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", inside);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Transaction_OfAUserWithoutReads_WatchesAndRuns()
    {
        await using var run = await servers.OpenRunAsync();
        var user = "tx" + run.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var key = run.Key();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@transaction", "+set", "+ping");
        try
        {
            await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
            await run.AssertReplyAsync(RedisReply.Ok, "WATCH", key);
            await run.AssertReplyAsync(RedisReply.Ok, "MULTI");
            await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "SET", key, "v");
            await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "PING");
            await run.AssertReplyAsync("*2\r\n+OK\r\n+PONG\r\n", "EXEC");
            await run.AssertReplyAsync(RedisReply.Ok, "MULTI");
            await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "PING");
            await run.AssertReplyAsync("*1\r\n+PONG\r\n", "EXEC");
        }
        finally
        {
            await run.BothAsync("AUTH", AclServersFixture.DefaultPassword);
            await run.BothAsync("ACL", "DELUSER", user);
        }
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Exec_AfterRulesChanged_RefusesTheQueuedCommandsNoLongerAllowed(bool withKeys)
    {
        await using var admin = await servers.OpenRunAsync();
        await using var run = await servers.OpenRunAsync();
        var user = "changed" + withKeys + admin.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await admin.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all");
        try
        {
            await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
            await run.AssertReplyAsync(RedisReply.Ok, "MULTI");
            if (withKeys)
            {
                await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "GET", run.Key("{t}1"));
                await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "SET", run.Key("{t}2"), "v");
            }

            await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "PING");
            await run.AssertReplyAsync(RedisReply.Status("QUEUED"), "TIME");
            await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "-get", "-time", "resetkeys", "~" + run.Key("{t}1"));
            var (expected, actual) = await run.BothAsync("EXEC");
            var prefix = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ";
            var replies = withKeys
                ? $"*4\r\n-{prefix}no permission to execute the command or subcommand\r\n-{prefix}no permission to touch the specified keys\r\n+PONG\r\n-{prefix}no permission to execute the command or subcommand\r\n"
                : $"*2\r\n+PONG\r\n-{prefix}no permission to execute the command or subcommand\r\n";
            Assert.Equal(replies, Encoding.UTF8.GetString(expected));
            Assert.Equal(replies, Encoding.UTF8.GetString(actual));
        }
        finally
        {
            await admin.BothAsync("ACL", "DELUSER", user);
        }
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Exec_RefusedItself_AbortsTheTransaction()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", "reader", AclServersFixture.ReaderPassword);
        await run.AssertReplyAsync(NoPermCommand("multi"), "MULTI");
        await run.AssertReplyAsync("-EXECABORT Transaction discarded because of: NOPERM this user has no permissions to run the 'exec' command\r\n", "EXEC");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task Script_CommandTheUserMayNotRun_IsRefusedInsideTheScript()
    {
        await using var run = await servers.OpenRunAsync();
        var user = "script" + run.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-set");
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
        await run.AssertSameAsync("EVAL", "return redis.call('set', 'x', 'y')", "0");

        // With keys the script runs in its key's turn, or with its slot held: the caller goes along.
        var key = run.Key("{s}a");
        await run.AssertSameAsync("EVAL", "return redis.call('set', KEYS[1], 'y')", "1", key);
        await run.AssertSameAsync("EVAL", "return redis.call('set', KEYS[2], 'y')", "2", key, run.Key("{s}b"));
        await run.AssertReplyAsync(RedisReply.Nil, "EVAL", "return redis.call('get', KEYS[1])", "1", key);
        await run.AssertReplyAsync(RedisReply.Integer(1), "ACL", "DELUSER", user);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task DefaultUserMadeNoPass_LetsAConnectionWaitingForAuthIn()
    {
        await using var admin = await servers.OpenRunAsync();
        await using var run = await servers.OpenRunAsync();
        await admin.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertReplyAsync(NoAuth, "GET", run.Key());
        try
        {
            await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", "default", "nopass");
            await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
            await run.AssertReplyAsync(RedisReply.Bulk("default"), "ACL", "WHOAMI");
        }
        finally
        {
            await admin.BothAsync("ACL", "SETUSER", "default", "resetpass", ">" + AclServersFixture.DefaultPassword);
        }

        await using var later = await servers.OpenRunAsync();
        await later.AssertReplyAsync(NoAuth, "GET", later.Key());
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclWhoAmI_BeforeAuth_ReturnsNoAuth()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(NoAuth, "ACL", "WHOAMI");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclListAndUsers_ShowTheConfiguredUsers()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertSameAsync("ACL", "USERS");
        var list = await AssertSameAclAsync(run, "ACL", "LIST");
        var text = Encoding.UTF8.GetString(list);
        Assert.Contains("user reader on #", text, StringComparison.Ordinal);
        Assert.Contains(" ~* resetchannels -@all +@read", text, StringComparison.Ordinal);
        Assert.Contains(" ~cache:* resetchannels +@all -@dangerous", text, StringComparison.Ordinal);
        Assert.Contains("user default on #", text, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("ACL", "CAT")]
    [InlineData("ACL", "CAT", "nosuch")]
    [InlineData("ACL", "CAT", "read", "more")]
    [InlineData("ACL", "GETUSER", "nosuch")]
    [InlineData("ACL", "GETUSER", "reader")]
    [InlineData("ACL", "GETUSER", "default")]
    [InlineData("ACL", "DELUSER", "default")]
    [InlineData("ACL", "DELUSER", "nosuch", "nosuch2")]
    [InlineData("ACL", "SETUSER", "a b")]
    [InlineData("ACL", "WHOAMI", "extra")]
    [InlineData("ACL", "SETUSER")]
    [InlineData("ACL", "NOSUCH")]
    [InlineData("ACL", "DRYRUN", "cacher", "GET", "cache:1")]
    [InlineData("ACL", "DRYRUN", "cacher", "GET", "other")]
    [InlineData("ACL", "DRYRUN", "cacher", "MGET", "cache:1", "other")]
    [InlineData("ACL", "DRYRUN", "cacher", "KEYS", "*")]
    [InlineData("ACL", "DRYRUN", "reader", "SET", "k", "v")]
    [InlineData("ACL", "DRYRUN", "reader", "CONFIG", "GET", "x")]
    [InlineData("ACL", "DRYRUN", "reader", "CONFIG", "NOSUCH")]
    [InlineData("ACL", "DRYRUN", "reader", "CLIENT")]
    [InlineData("ACL", "DRYRUN", "reader", "GET")]
    [InlineData("ACL", "DRYRUN", "reader", "NOSUCH")]
    [InlineData("ACL", "DRYRUN", "nobody", "GET", "k")]
    [InlineData("ACL", "DRYRUN", "reader", "AUTH", "x")]
    [InlineData("ACL", "DRYRUN", "reader")]
    public async Task AclCommands_ReplyAsRedis(params string[] command)
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertSameAsync(command);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclCommands_InResp3_ReplyAsRedis()
    {
        await using var run = await servers.OpenRunAsync();
        await HelloReplyShape.AssertBothAsync(run, 3, "HELLO", "3", "AUTH", "default", AclServersFixture.DefaultPassword);
        await run.AssertSameAsync("ACL", "GETUSER", "reader");
        await run.AssertSameAsync("ACL", "GETUSER", "nosuch");
        await run.AssertSameAsync("ACL", "USERS");
        await run.AssertSameAsync("ACL", "WHOAMI");
        await run.AssertSameAsync("ACL", "CAT");
        await run.AssertSameAsync("ACL", "DRYRUN", "reader", "SET", "k", "v");
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclCatOfCategory_ListsOnlyCommandsRedisListsToo()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        foreach (var category in (string[])["read", "write", "string", "hash", "keyspace", "scripting", "connection", "dangerous", "admin", "fast", "slow", "transaction"])
        {
            var (expected, actual) = await run.BothAsync("ACL", "CAT", category);
            var redis = BulkItems(expected);
            var ours = BulkItems(actual);
            Assert.NotEmpty(ours);

            // Redis lists in its hash table's order and serves more commands; ours must be among
            // its own (DELEX, DIGEST, MSETEX and CLIENT SETINFO are newer than 7.0).
            Assert.Empty(ours.Except(redis).Except(["delex", "digest", "msetex", "client|setinfo"]));
        }
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("on", ">p1", ">p2", "<p1", "~a*", "~b", "+get")]
    [InlineData("on", "nopass", "allkeys", "allchannels", "+@all", "-@dangerous", "-get")]
    [InlineData("+@read", "-@read", "+get", "-get")]
    [InlineData("+@hash", "-hset", "~k1", "~k1", "&chan")]
    [InlineData("allcommands", "nocommands", "+@hash", "+@keyspace", "-@write")]
    [InlineData("on", ">p", "reset")]
    [InlineData("+config", "-config|set")]
    [InlineData("#" + "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "!" + "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "resetpass")]
    [InlineData("skip-sanitize-payload", "+@all", "-@admin", "+acl|whoami")]
    [InlineData("+get", "+set", "+hget", "+client|id", "+config|get")]
    [InlineData("+@all", "-get", "-set", "-client|kill")]
    public async Task AclSetUser_ThenGetUserAndList_AsRedis(params string[] rules)
    {
        await using var run = await servers.OpenRunAsync();
        var user = "u" + string.Join(string.Empty, rules).GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        try
        {
            await run.AssertReplyAsync(RedisReply.Ok, ["ACL", "SETUSER", user, .. rules]);
            await AssertSameAclAsync(run, "ACL", "GETUSER", user);
            await AssertSameAclAsync(run, "ACL", "LIST");
        }
        finally
        {
            await run.BothAsync("ACL", "DELUSER", user);
        }
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData("bogus")]
    [InlineData("+nosuch")]
    [InlineData("+@nosuch")]
    [InlineData("<notthere")]
    [InlineData("#abc")]
    [InlineData("!abc")]
    [InlineData("allkeys", "~more")]
    [InlineData("allchannels", "&more")]
    [InlineData("~with space")]
    [InlineData("+config|")]
    [InlineData("-nosuch|x")]
    [InlineData("on", ">ok", "bogus")]
    public async Task AclSetUser_WithBadRule_ReturnsRedisErrorAndChangesNothing(params string[] rules)
    {
        await using var run = await servers.OpenRunAsync();
        var user = "bad" + string.Join(string.Empty, rules).GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertSameAsync(["ACL", "SETUSER", user, .. rules]);
        await run.AssertSameAsync("ACL", "GETUSER", user);
        await run.AssertSameAsync("ACL", "DELUSER", user);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclSetUser_ChangesReachAConnectionAlreadyAuthenticated()
    {
        await using var admin = await servers.OpenRunAsync();
        await using var run = await servers.OpenRunAsync();
        var user = "live" + admin.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await admin.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all");
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
        await run.AssertReplyAsync(RedisReply.Nil, "GET", run.Key());
        await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "-get");
        await run.AssertReplyAsync(NoPermCommand("get"), "GET", run.Key());
        await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "resetkeys", "~other:*", "+get");
        await run.AssertReplyAsync(NoPermKey, "GET", run.Key());
        await admin.AssertReplyAsync(RedisReply.Integer(1), "ACL", "DELUSER", user);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclDelUser_ClosesTheUsersConnections()
    {
        await using var admin = await servers.OpenRunAsync();
        await using var run = await servers.OpenRunAsync();
        var user = "gone" + admin.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await admin.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await admin.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all");
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
        await admin.AssertReplyAsync(RedisReply.Integer(1), "ACL", "DELUSER", user);
        await run.AssertBothClosedAsync(TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task AclDelUser_OfItsOwnUser_RepliesThenCloses()
    {
        await using var run = await servers.OpenRunAsync();
        var user = "self" + run.KeyPrefix.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", AclServersFixture.DefaultPassword);
        await run.AssertReplyAsync(RedisReply.Ok, "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all");
        await run.AssertReplyAsync(RedisReply.Ok, "AUTH", user, "pw");
        await run.AssertReplyAsync(RedisReply.Integer(1), "ACL", "DELUSER", user);
        await run.AssertBothClosedAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Both replies alike once the single-command rules of each user line are sorted: Redis emits
    /// them in its command hash table's order, which changes from process to process (two
    /// redis-servers differ there too); the categories before them keep Redis's order.
    /// </summary>
    private static async Task<byte[]> AssertSameAclAsync(DifferentialRun run, params string[] command)
    {
        var (expected, actual) = await run.BothAsync(command);
        Assert.Equal(NormalizeRules(Encoding.UTF8.GetString(expected)), NormalizeRules(Encoding.UTF8.GetString(actual)));
        return actual;
    }

    private static string NormalizeRules(string reply) => string.Join("\r\n", reply.Split("\r\n").Select(line =>
    {
        var words = line.Split(' ');
        var start = Array.FindIndex(words, w => w is "+@all" or "-@all");
        if (start < 0)
        {
            return line;
        }

        var categories = start + 1;
        while (categories < words.Length && words[categories].Length > 1 && words[categories][1] == '@')
        {
            categories++;
        }

        return string.Join(' ', words[..categories].Concat(words[categories..].Order(StringComparer.Ordinal)));
    }));

    /// <summary>The bulk strings of an array reply, in order.</summary>
    private static List<string> BulkItems(byte[] reply)
    {
        var items = new List<string>();
        var lines = Encoding.UTF8.GetString(reply).Split("\r\n");
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('$'))
            {
                items.Add(lines[++i]);
            }
        }

        return items;
    }
}

namespace Orleans.KeyValue.Gateway.Tests.Commands;

public sealed class ConnectionCommandTests
{
    [Fact]
    public void UnknownCommand_QuotesNameAndArguments()
    {
        using var h = new GatewayHarness();
        Assert.Equal(GatewayHarness.Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "), h.Run("foo", "a", "b"));
    }

    [Theory]
    [InlineData("ERR wrong number of arguments for 'get' command", "get")]
    [InlineData("ERR wrong number of arguments for 'set' command", "set", "k")]
    [InlineData("ERR wrong number of arguments for 'client|setname' command", "client", "setname")]
    [InlineData("ERR wrong number of arguments for 'client' command", "client")]
    [InlineData("ERR unknown subcommand 'nope'. Try CLIENT HELP.", "client", "nope")]
    [InlineData("ERR wrong number of arguments for 'ping' command", "ping", "a", "b")]
    public void BadArity_AndUnknownSubcommands_UseRedisTexts(string error, params string[] args)
    {
        using var h = new GatewayHarness();
        Assert.Equal(GatewayHarness.Err(error), h.Run(args));
    }

    [Fact]
    public void CommandNames_AreCaseInsensitive()
    {
        using var h = new GatewayHarness();
        Assert.Equal(KvReply.Ok, h.Run("SeT", "k", "v"));
        Assert.Equal(GatewayHarness.Bulk("v"), h.Run("GET", "k"));
    }

    [Fact]
    public void WithAPassword_CommandsAnswerNoAuth_UntilAuth()
    {
        using var h = new GatewayHarness(password: "secret");
        Assert.Equal(GatewayHarness.Err("NOAUTH Authentication required."), h.Run("get", "k"));
        Assert.Equal(GatewayHarness.Err("WRONGPASS invalid username-password pair or user is disabled."), h.Run("auth", "wrong"));
        Assert.Equal(KvReply.Ok, h.Run("auth", "secret"));
        Assert.Equal(KvReply.Nil, h.Run("get", "k"));
    }

    [Fact]
    public void Hello_WithoutAuth_IsRefused_AndHelloWithAuthLogsIn()
    {
        using var h = new GatewayHarness(password: "secret");
        Assert.StartsWith("NOAUTH HELLO must be called", h.Run("hello", "3").Text, StringComparison.Ordinal);
        var reply = h.Run("hello", "3", "auth", "default", "secret");
        Assert.Equal(KvReplyKind.Map, reply.Kind);
        Assert.Equal(3, h.Session.Protocol);
        Assert.True(h.Session.Authenticated);
    }

    [Fact]
    public void Auth_WithoutAConfiguredPassword_SaysSo()
    {
        using var h = new GatewayHarness();
        Assert.StartsWith("ERR AUTH <password> called without any password configured", h.Run("auth", "x").Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4", "NOPROTO unsupported protocol version")]
    [InlineData("x", "ERR Protocol version is not an integer or out of range")]
    public void Hello_WithABadVersion_Fails(string version, string error)
    {
        using var h = new GatewayHarness();
        Assert.Equal(GatewayHarness.Err(error), h.Run("hello", version));
        Assert.Equal(2, h.Session.Protocol);
    }

    [Fact]
    public void Select_AcceptsOnlyDatabaseZero()
    {
        using var h = new GatewayHarness();
        Assert.Equal(KvReply.Ok, h.Run("select", "0"));
        Assert.Equal(GatewayHarness.Err("ERR DB index is out of range"), h.Run("select", "1"));
        Assert.Equal(GatewayHarness.Err("ERR value is not an integer or out of range"), h.Run("select", "x"));
    }

    [Fact]
    public void ClientName_RoundTrips_AndRejectsSpaces()
    {
        using var h = new GatewayHarness();
        Assert.Equal(KvReply.Nil, h.Run("client", "getname"));
        Assert.Equal(KvReply.Ok, h.Run("client", "setname", "worker-1"));
        Assert.Equal(GatewayHarness.Bulk("worker-1"), h.Run("CLIENT", "GETNAME"));
        Assert.Equal(GatewayHarness.Err("ERR Client names cannot contain spaces, newlines or special characters."), h.Run("client", "setname", "a b"));
    }

    [Fact]
    public void Quit_RepliesOkAndAsksToClose()
    {
        using var h = new GatewayHarness();
        Assert.Equal(KvReply.Ok, h.Run("quit"));
        Assert.True(h.Session.CloseRequested);
    }

    [Fact]
    public void Command_DescribesEveryCommand()
    {
        using var h = new GatewayHarness();
        var count = h.Run("command", "count").Integer;
        Assert.True(count > 30);
        Assert.Equal(count, h.Run("command").Items!.Length);
        var get = h.Run("command", "info", "get").Items![0];
        Assert.Equal(GatewayHarness.Bulk("get"), get.Items![0]);
        Assert.Equal(KvReply.FromInteger(2), get.Items![1]);
        Assert.Equal(KvReply.NilArray, h.Run("command", "info", "nosuch").Items![0]);
    }

    [Fact]
    public void ConfigGet_AnswersTheParametersClientsProbe()
    {
        using var h = new GatewayHarness();
        var reply = h.Run("config", "get", "save");
        Assert.Equal([GatewayHarness.Bulk("save"), GatewayHarness.Bulk(string.Empty)], reply.Items!);
        Assert.Equal(10, h.Run("config", "get", "max*").Items!.Length); // maxclients, maxmemory, maxmemory-policy, maxmemory-samples, maxmemory-clients
    }

    [Fact]
    public void MemoryPurge_CollectsAndAnswersOk_AndUnknownSubcommandsAreRefused()
    {
        using var h = new GatewayHarness();
        var before = GC.CollectionCount(GC.MaxGeneration);
        Assert.Equal(KvReply.Ok, h.Run("memory", "purge"));
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
        Assert.Equal(KvReplyKind.Error, h.Run("memory", "nosuch").Kind);
    }

    [Fact]
    public void ClusterKeySlot_IsRedisClustersSlot_AndStandaloneSlotsCoverEverything()
    {
        using var h = new GatewayHarness();

        // As redis-server in cluster mode answers CLUSTER KEYSLOT.
        Assert.Equal(KvReply.FromInteger(12182), h.Run("cluster", "keyslot", "foo"));
        Assert.Equal(KvReply.FromInteger(3443), h.Run("cluster", "keyslot", "{user1000}.following"));
        var slots = h.Run("cluster", "slots");
        var range = Assert.Single(slots.Items!);
        Assert.Equal(0, range.Items![0].Integer);
        Assert.Equal(16383, range.Items[1].Integer);
        Assert.Equal(KvReplyKind.Error, h.Run("cluster", "nodes").Kind);
    }

    [Fact]
    public void Info_HasTheSectionsClientsRead()
    {
        using var h = new GatewayHarness();
        h.Run("set", "k", "v", "ex", "100");
        var text = System.Text.Encoding.UTF8.GetString(h.Run("info").Bytes.Span);
        Assert.Contains("redis_version:7.0.15", text, StringComparison.Ordinal);
        Assert.Contains("# Clients", text, StringComparison.Ordinal);
        Assert.Contains("# Memory", text, StringComparison.Ordinal);
        Assert.Contains("# Stats", text, StringComparison.Ordinal);
        Assert.Contains("db0:keys=1,expires=1,avg_ttl=0", text, StringComparison.Ordinal);
    }
}

using Orleans.KeyValue.Gateway.Acl;

namespace Orleans.KeyValue.Gateway.Tests.Acl;

public sealed class AclUsersTests
{
    [Fact]
    public void WithoutRequirePass_DefaultIsOpen()
    {
        var users = new AclUsers(requirePass: null);
        Assert.True(users.Default.OpensWithoutPassword);
        Assert.Equal("on nopass ~* &* +@all", users.Default.State.Describe());
        Assert.NotNull(users.Authenticate("default"u8, "anything"u8));
    }

    [Fact]
    public void RequirePass_IsTheDefaultUsersPassword()
    {
        var users = new AclUsers("pw");
        Assert.False(users.Default.OpensWithoutPassword);
        Assert.Same(users.Default, users.Authenticate("default"u8, "pw"u8));
        Assert.Null(users.Authenticate("default"u8, "other"u8));
    }

    [Fact]
    public void ConfiguredUsers_AreParsedAsRedisUserLines()
    {
        var users = new AclUsers(null, ["alice on >secret ~cache:* +@read", "bob off"]);
        Assert.Equal(["alice", "bob", "default"], users.All.Select(u => u.Name));
        Assert.NotNull(users.Authenticate("alice"u8, "secret"u8));
        Assert.Null(users.Authenticate("bob"u8, ""u8));
        Assert.Null(users.Authenticate("nobody"u8, "secret"u8));
    }

    [Fact]
    public void ConfiguredDefaultUser_StartsFromReset()
    {
        var users = new AclUsers("pw", ["default on >other ~* +@read"]);
        Assert.Null(users.Authenticate("default"u8, "pw"u8));
        Assert.NotNull(users.Authenticate("default"u8, "other"u8));
        Assert.Equal("on sanitize-payload #" + AclUserState.Hash("other"u8) + " ~* resetchannels -@all +@read", users.Default.State.Describe());
    }

    [Theory]
    [InlineData("alice on bogus")]
    [InlineData("alice +nosuch")]
    [InlineData("")]
    public void BadConfiguredUser_Throws(string line) =>
        Assert.Throws<ArgumentException>(() => new AclUsers(null, [line]));

    [Fact]
    public void DuplicateConfiguredUser_Throws() =>
        Assert.Throws<ArgumentException>(() => new AclUsers(null, ["a on", "a off"]));

    [Fact]
    public void SetUser_WithABadRule_ChangesNothing()
    {
        var users = new AclUsers(null, ["alice on >pw +get"]);
        var alice = users.Find("alice")!;
        var before = alice.State;
        Assert.Equal("ERR Error in ACL SETUSER modifier 'bogus': Syntax error", users.SetUser("alice", ["-get", "bogus"]));
        Assert.Same(before, alice.State);
        Assert.Equal("ERR Error in ACL SETUSER modifier 'bogus': Syntax error", users.SetUser("carol", ["on", "bogus"]));
        Assert.Null(users.Find("carol"));
    }

    [Fact]
    public void SetUser_ChangesTheSameUserObject()
    {
        var users = new AclUsers(null, ["alice on >pw +get"]);
        var alice = users.Find("alice")!;
        Assert.Null(users.SetUser("alice", ["-get"]));
        Assert.Same(alice, users.Find("alice"));
        Assert.False(alice.State.Allows(AclCommandSpace.IdOf("get")));
    }

    [Fact]
    public void DeleteUsers_NeverRemovesDefault_AndMarksTheRemoved()
    {
        var users = new AclUsers(null, ["alice on"]);
        var alice = users.Find("alice")!;
        var removed = users.DeleteUsers(["alice", "default", "nobody"]);
        Assert.Equal([alice], removed);
        Assert.True(alice.Deleted);
        Assert.NotNull(users.Find("default"));
    }

    [Fact]
    public void CopyFrom_AnotherSilosList_GivesTheSameUsers()
    {
        var source = new AclUsers("pw", ["alice on >secret ~cache:* +@all -@dangerous -get", "bob off sanitize-payload &news"]);
        var target = new AclUsers(null, ["carol on", "alice off"]);
        var alice = target.Find("alice")!;
        target.CopyFrom([.. source.Describe()]);
        Assert.Equal(source.Describe(), target.Describe());
        Assert.Same(alice, target.Find("alice"));
        Assert.Null(target.Find("carol"));
        Assert.Same(target.Default, target.Authenticate("default"u8, "pw"u8));
    }
}

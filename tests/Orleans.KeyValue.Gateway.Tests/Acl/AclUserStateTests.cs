using System.Text;
using Orleans.KeyValue.Gateway.Acl;

namespace Orleans.KeyValue.Gateway.Tests.Acl;

public sealed class AclUserStateTests
{
    private static AclUserState With(params string[] rules)
    {
        var state = AclUserState.CreateNew();
        foreach (var rule in rules)
        {
            Assert.Null(state.Apply(rule));
        }

        return state;
    }

    private static bool Allows(AclUserState state, string command) => state.Allows(AclCommandSpace.IdOf(command));

    [Fact]
    public void NewUser_IsOffWithNothingAllowed() =>
        Assert.Equal("off resetchannels -@all", With().Describe());

    [Fact]
    public void Password_IsStoredAsSha256Hex()
    {
        var state = With(">secret");
        Assert.Equal(["2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"], state.Passwords);
    }

    [Fact]
    public void Accepts_NeedsTheUserOn()
    {
        Assert.False(With(">pw").Accepts("pw"u8));
        Assert.True(With("on", ">pw").Accepts("pw"u8));
        Assert.False(With("on", ">pw").Accepts("other"u8));
    }

    [Fact]
    public void Accepts_AnyOfSeveralPasswords()
    {
        var state = With("on", ">one", ">two");
        Assert.True(state.Accepts("one"u8));
        Assert.True(state.Accepts("two"u8));
    }

    [Fact]
    public void NoPass_AcceptsAnything_AndAPasswordTurnsItOff()
    {
        Assert.True(With("on", "nopass").Accepts("whatever"u8));
        var state = With("on", "nopass", ">pw");
        Assert.False(state.NoPass);
        Assert.False(state.Accepts("whatever"u8));
    }

    [Fact]
    public void HashRule_AddsTheHash_AndRemoveByPasswordOrHashWorks()
    {
        var hash = AclUserState.Hash("pw"u8);
        var state = With("on", "#" + hash);
        Assert.True(state.Accepts("pw"u8));
        Assert.Null(state.Apply("<pw"));
        Assert.Empty(state.Passwords);
        Assert.Null(state.Apply("#" + hash));
        Assert.Null(state.Apply("!" + hash));
        Assert.Empty(state.Passwords);
    }

    [Theory]
    [InlineData("#abc", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")]
    [InlineData("#5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")]
    [InlineData("<missing", "The password you are trying to remove from the user does not exist")]
    [InlineData("bogus", "Syntax error")]
    [InlineData("+nosuch", "Unknown command or category name in ACL")]
    [InlineData("-@nosuch", "Unknown command or category name in ACL")]
    [InlineData("+select|0", "Unknown command or category name in ACL")]
    [InlineData("+config|", "Syntax error")]
    [InlineData("~a b", "Syntax error")]
    [InlineData("%R~k*", "Syntax error")]
    [InlineData("(~k* +get)", "Syntax error")]
    public void BadRule_ReturnsRedisReason(string rule, string reason) =>
        Assert.Equal(reason, AclUserState.CreateNew().Apply(rule));

    [Fact]
    public void PatternAfterAllKeys_IsRefused() =>
        Assert.StartsWith("Adding a pattern after the * pattern (or the 'allkeys' flag)", With("allkeys").Apply("~k"), StringComparison.Ordinal);

    [Fact]
    public void KeyPatterns_MatchAsRedisGlobs()
    {
        var state = With("~cache:*", "~user:[0-9]");
        Assert.True(state.AllowsKey("cache:1"u8));
        Assert.True(state.AllowsKey("user:7"u8));
        Assert.False(state.AllowsKey("user:x"u8));
        Assert.False(state.AllowsKey("other"u8));
        Assert.Null(state.Apply("resetkeys"));
        Assert.False(state.AllowsKey("cache:1"u8));
        Assert.Null(state.Apply("~*"));
        Assert.True(state.AllowsKey("anything"u8));
    }

    [Fact]
    public void Category_AllowsItsCommands_AndOnlyThose()
    {
        var state = With("+@read");
        Assert.True(Allows(state, "get"));
        Assert.True(Allows(state, "hgetall"));
        Assert.False(Allows(state, "set"));
        Assert.False(Allows(state, "config|get"));
    }

    [Fact]
    public void Container_AllowsItsSubcommands_AndASubcommandCanBeTakenAway()
    {
        var state = With("+config", "-config|set");
        Assert.True(Allows(state, "config|get"));
        Assert.False(Allows(state, "config|set"));
    }

    [Fact]
    public void AllCommands_ThenRemove_KeepsTheRest()
    {
        var state = With("+@all", "-@dangerous", "-get");
        Assert.True(Allows(state, "set"));
        Assert.False(Allows(state, "get"));
        Assert.False(Allows(state, "keys"));
        Assert.False(Allows(state, "flushall"));
    }

    [Fact]
    public void Reset_ReturnsToANewUserWithSanitizePayload() =>
        Assert.Equal("off sanitize-payload resetchannels -@all", With("on", ">pw", "~*", "&*", "+@all", "reset").Describe());

    [Theory]
    [InlineData(new[] { "+@read" }, "-@all +@read")]
    [InlineData(new[] { "+@all", "-@dangerous" }, "+@all -@dangerous")]
    [InlineData(new[] { "+@read", "-@read", "+get", "-get" }, "-@all")]
    [InlineData(new[] { "+get" }, "-@all +get")]
    [InlineData(new[] { "+config", "-config|set" }, "-@all +config -config|set")]
    [InlineData(new[] { "allcommands", "-get" }, "+@all -get")]
    [InlineData(new[] { "+@hash", "-hset" }, "-@all +@hash -hset")]
    public void DescribeCommands_FollowsRedis70BestFit(string[] rules, string expected) =>
        Assert.Equal(expected, With(rules).DescribeCommands());

    [Fact]
    public void Describe_ShowsFlagsPasswordsKeysChannelsAndCommands() =>
        Assert.Equal(
            "on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~cache:* ~x resetchannels &news -@all +@read",
            With("on", ">secret", "~cache:*", "~x", "~x", "&news", "+@read").Describe());

    [Fact]
    public void Clone_IsIndependent()
    {
        var state = With("on", "+get");
        var copy = state.Clone();
        Assert.Null(copy.Apply("-get"));
        Assert.True(Allows(state, "get"));
        Assert.False(Allows(copy, "get"));
    }

    [Fact]
    public void EveryCategory_HasCommands() =>
        Assert.All(AclCategories.Names, name => Assert.NotEmpty(AclCommandSpace.InCategory(name)!));

    [Fact]
    public void Hash_IsLowerCaseHex() =>
        Assert.Equal("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", AclUserState.Hash(Encoding.UTF8.GetBytes("password")));
}

using System.Text;
using Orleans.KeyValue.Gateway.Keyspace;

namespace Orleans.KeyValue.Gateway.Tests.Keyspace;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", false)] // Redis: stringmatchlen("*", "") is 0; KEYS * has its own shortcut
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[b-a]llo", "hallo", true)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hello", false)]
    [InlineData("user:*:name", "user:42:name", true)]
    [InlineData("user:*:name", "user:42:age", false)]
    [InlineData("a*", "b", false)]
    [InlineData("abc", "abcd", false)]
    [InlineData("a**b", "ab", true)]
    public void Match_FollowsRedisGlobRules(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobPattern.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Match_OfAHostilePattern_Terminates()
    {
        var pattern = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a*", 30)) + "b");
        var text = Encoding.UTF8.GetBytes(new string('a', 60));
        Assert.False(GlobPattern.IsMatch(pattern, text));
    }

    [Fact]
    public void Match_IgnoringCase_MatchesConfigNames() =>
        Assert.True(GlobPattern.IsMatch("MAX*"u8, "maxclients"u8, ignoreCase: true));
}

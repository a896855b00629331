using System.Diagnostics;
using System.Text;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>ACL users reach every silo: those active at ACL SETUSER or DELUSER, and one that joins later.</summary>
public sealed class AclJoinTests
{
    private const int Timeout = 120_000;

    [Fact(Timeout = Timeout)]
    public async Task SiloThatJoinsAfterSetUserAndDelUser_HasTheSameUsers()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        await using (var first = await TestCluster.ConnectAsync(cluster.LiveSilos[0]))
        {
            Assert.Equal("+OK\r\n", await SendAsync(first, "ACL", "SETUSER", "joiner", "on", ">pw", "~j:*", "+@read"));
            Assert.Equal("+OK\r\n", await SendAsync(first, "ACL", "SETUSER", "leaver", "on", ">pw", "+@all"));
            Assert.Equal(":1\r\n", await SendAsync(first, "ACL", "DELUSER", "leaver"));
        }

        var joined = await cluster.AddSiloAsync();
        await using var client = await TestCluster.ConnectAsync(joined);

        // The copy is taken once the silo has joined: wait for it, with a deadline.
        var clock = Stopwatch.StartNew();
        var seen = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && (seen = await SendAsync(client, "AUTH", "joiner", "pw")) != "+OK\r\n")
        {
            await Task.Delay(100);
        }

        Assert.Equal("+OK\r\n", seen);
        Assert.Equal("$-1\r\n", await SendAsync(client, "GET", "j:x"));
        Assert.Equal("-NOPERM this user has no permissions to run the 'set' command\r\n", await SendAsync(client, "SET", "j:x", "v"));
        Assert.Equal("-NOPERM this user has no permissions to access one of the keys used as arguments\r\n", await SendAsync(client, "GET", "other"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", await SendAsync(client, "AUTH", "leaver", "pw"));
    }

    private static async Task<string> SendAsync(Orleans.KeyValue.Testing.RawRespConnection client, params string[] args) =>
        Encoding.UTF8.GetString(await client.CommandAsync(args));
}

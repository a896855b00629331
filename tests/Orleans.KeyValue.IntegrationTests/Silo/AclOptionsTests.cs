using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway;
using Orleans.KeyValue.Silo;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>--user and --aclfile: Redis's forms, and bad users refused at start (Build only reads them; nothing listens).</summary>
public sealed class AclOptionsTests
{
    [Fact(Timeout = 30_000)]
    public async Task User_TakesTheWordsUpToTheNextOption_AndRepeats()
    {
        await using var app = SiloApplication.Build(Ports("--user", "alice", "on", ">secret", "~cache:*", "+@read", "--user", "bob", "off", "--maxclients", "10"));
        var gateway = app.Services.GetRequiredService<IOptions<RespGatewayOptions>>().Value;
        Assert.Equal(["alice on >secret ~cache:* +@read", "bob off"], gateway.Users);
        Assert.Equal(10, gateway.MaxClients);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("alice", "on", "bogus")]
    [InlineData("alice", "+nosuch")]
    public async Task BadUser_IsRefusedAtStart(params string[] user)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports(["--user", .. user]))));
        Assert.Contains("alice", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AclFile_UsersAreRead()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, ["user alice on >secret ~* +@all", string.Empty, "user bob off"]);
            await using var app = SiloApplication.Build(Ports("--aclfile", path));
            var gateway = app.Services.GetRequiredService<IOptions<RespGatewayOptions>>().Value;
            Assert.Equal(["alice on >secret ~* +@all", "bob off"], gateway.Users);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task AclFile_LineNotStartingWithUser_IsRefusedAtStart()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, ["alice on"]);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--aclfile", path))));
            Assert.EndsWith(":1 should start with user keyword.", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task AclFileAndUser_Together_AreRefusedAtStart()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, ["user alice on"]);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--aclfile", path, "--user", "bob", "on"))));
            Assert.Contains("either an ACL file or declare users directly", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ProtectedMode_IsSatisfiedByADefaultUserWithAPassword()
    {
        await using var app = SiloApplication.Build(Ports("--bind", "0.0.0.0", "--user", "default", "on", ">pw", "~*", "+@all"));
        Assert.NotNull(app);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProtectedMode_RefusesWhileTheDefaultUserTakesNoPassword()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.FromResult(SiloApplication.Build(Ports("--bind", "0.0.0.0", "--user", "alice", "on", ">pw", "~*", "+@all"))));
        Assert.Contains("Protected mode", error.Message, StringComparison.Ordinal);
    }

    private static string[] Ports(params string[] more) =>
    [
        "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--dashboard-port", "0",
        .. more,
    ];
}

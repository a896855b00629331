using System.Text;
using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Tests.Commands;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Tests.Acl;

public sealed class AclGuardTests
{
    [Fact]
    public void EveryCommandOfTheTable_HasRedisCategoriesAndAnAclId()
    {
        using var h = new GatewayHarness();
        foreach (var definition in h.Executor.Commands.Values.SelectMany(d => d.Subcommands?.Values.Prepend(d) ?? [d]))
        {
            Assert.NotEmpty(definition.AclCategories);
            Assert.True(definition.AclId >= 0, definition.Name);
        }
    }

    [Theory]
    [InlineData(new[] { "GET", "cache:1" }, "Allowed")]
    [InlineData(new[] { "GET", "other" }, "DeniedKey")]
    [InlineData(new[] { "MSET", "cache:1", "v", "other", "v" }, "DeniedKey")]
    [InlineData(new[] { "MSET", "cache:1", "other", "cache:2", "v" }, "Allowed")]
    [InlineData(new[] { "EVAL", "return 1", "1", "other" }, "DeniedKey")]
    [InlineData(new[] { "EVAL", "return 1", "0", "other" }, "Allowed")]
    [InlineData(new[] { "MSETEX", "2", "cache:1", "other", "cache:2", "v" }, "Allowed")]
    [InlineData(new[] { "MSETEX", "2", "cache:1", "v", "other", "v" }, "DeniedKey")]
    [InlineData(new[] { "OBJECT", "ENCODING", "other" }, "DeniedKey")]
    [InlineData(new[] { "KEYS", "*" }, "DeniedCommand")]
    [InlineData(new[] { "AUTH", "x" }, "Allowed")]
    public void Check_LooksAtTheCommandAndTheKeysItDeclares(string[] command, string expected)
    {
        using var h = new GatewayHarness();
        var users = new AclUsers(null, ["u on ~cache:* +@all -@dangerous"]);
        using var request = new RespRequest();
        foreach (var argument in command)
        {
            request.Add(Encoding.UTF8.GetBytes(argument));
        }

        var definition = h.Executor.Table.Find(request[0])!;
        if (definition.Subcommands is { } subcommands)
        {
            definition = subcommands[command[1]];
        }

        Assert.Equal(Enum.Parse<AclVerdict>(expected), AclGuard.Check(users.Find("u")!, definition, request));
    }
}

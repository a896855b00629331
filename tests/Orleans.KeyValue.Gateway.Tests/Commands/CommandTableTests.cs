using System.Text;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

// The command table's checks run in Redis's order (processCommand): name, subcommand, arity,
// authentication, then whether a script may call it. A request that fails two checks gets the
// first one's error, so each case below fails a later check too.
public sealed class CommandTableTests : IDisposable
{
    private readonly GatewayHarness _h = new(password: "secret");
    private readonly RespRequest _request = new();

    public void Dispose()
    {
        _request.Dispose();
        _h.Dispose();
    }

    private (bool Admitted, CommandDefinition? Definition, KvReply Error) Resolve(CommandContext context, params string[] args)
    {
        _request.Reset();
        foreach (var arg in args)
        {
            _request.Add(Encoding.UTF8.GetBytes(arg));
        }

        var admitted = _h.Executor.Table.TryResolve(context, _request, out var definition, out var error);
        return (admitted, definition, error);
    }

    private static CommandContext Script() =>
        new(new ClientSession(2, null, null, 0, authenticated: true)) { InScript = true };

    [Fact]
    public void UnknownSubcommand_ComesBeforeAuthentication_AndReportsTheContainer()
    {
        var (admitted, definition, error) = Resolve(_h.Context, "client", "nosuch");
        Assert.False(admitted);
        Assert.Equal("client", definition?.Name);
        Assert.StartsWith("ERR unknown subcommand 'nosuch'", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongArity_ComesBeforeAuthentication()
    {
        var (admitted, definition, error) = Resolve(_h.Context, "get");
        Assert.False(admitted);
        Assert.Equal("get", definition?.Name);
        Assert.Equal(KvReply.FromError(ErrorTexts.WrongArity("get")), error);
    }

    [Fact]
    public void Unauthenticated_WithRightArity_IsRefused()
    {
        var (admitted, _, error) = Resolve(_h.Context, "get", "k");
        Assert.False(admitted);
        Assert.Equal(KvReply.FromError(ErrorTexts.NoAuth), error);
    }

    [Fact]
    public void Unauthenticated_MayRunTheCommandsThatAuthenticate()
    {
        var (admitted, definition, _) = Resolve(_h.Context, "auth", "secret");
        Assert.True(admitted);
        Assert.Equal("auth", definition?.Name);
    }

    [Theory]
    [InlineData(ErrorTexts.UnknownScriptCommand, "nosuch", "k")]
    [InlineData(ErrorTexts.ScriptWrongArity, "eval")] // arity before "not allowed from script"
    [InlineData(ErrorTexts.ScriptWrongArity, "get")]
    [InlineData(ErrorTexts.NotAllowedFromScript, "eval", "return 1", "0")]
    [InlineData(ErrorTexts.NotAllowedFromScript, "client", "id")]
    public void InScript_ErrorsAreTheScriptsOwn_InRedisOrder(string expected, params string[] args)
    {
        var (admitted, _, error) = Resolve(Script(), args);
        Assert.False(admitted);
        Assert.Equal(KvReply.FromError(expected), error);
    }

    [Theory]
    [InlineData("GET", "get")]
    [InlineData("gEt", "get")]
    [InlineData("Script", "script")]
    public void Find_MatchesNamesInAnyCase(string name, string expected) =>
        Assert.Equal(expected, _h.Executor.Table.Find(Encoding.ASCII.GetBytes(name))?.Name);

    [Fact]
    public void Find_OfAnOverlongName_IsNull() =>
        Assert.Null(_h.Executor.Table.Find(Encoding.ASCII.GetBytes(new string('g', 65))));
}

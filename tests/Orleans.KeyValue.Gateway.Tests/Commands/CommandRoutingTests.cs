using System.Text;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

// How a clustered executor finds a command's routing key and whether the command spans slots
// (CommandKeys): DEL/EXISTS split per key, MSETEX routes by its first key and
// needs one slot (numkeys at 1, keys at 2, 4, ...), EVAL by the key after numkeys.
public sealed class CommandRoutingTests : IDisposable
{
    private readonly GatewayHarness _h = new();
    private readonly RespRequest _request = new();

    public void Dispose()
    {
        _request.Dispose();
        _h.Dispose();
    }

    private RespRequest Request(params string[] args)
    {
        _request.Reset();
        foreach (var arg in args)
        {
            _request.Add(Encoding.UTF8.GetBytes(arg));
        }

        return _request;
    }

    private CommandDefinition Definition(string name) => _h.Executor.Commands[name];

    private static int Slot(string key) => KeySlot.Of(Encoding.UTF8.GetBytes(key));

    [Theory]
    [InlineData(new[] { "get", "k" }, 1)]
    [InlineData(new[] { "set", "k", "v", "ifeq", "x" }, 1)]
    [InlineData(new[] { "delex", "k", "ifeq", "x" }, 1)]
    [InlineData(new[] { "digest", "k" }, 1)]
    [InlineData(new[] { "del", "a", "b" }, 1)]
    [InlineData(new[] { "msetex", "2", "{t}a", "1", "{t}b", "2", "nx" }, 2)]
    [InlineData(new[] { "eval", "return 1", "1", "k" }, 3)]
    public void TryGetRoutingKey_FindsTheFirstKey(string[] args, int keyIndex)
    {
        Assert.True(CommandKeys.TryGetRoutingKey(Definition(args[0]), Request(args), out var index));
        Assert.Equal(keyIndex, index);
    }

    [Theory]
    [InlineData("msetex", "0", "a", "1")]
    [InlineData("msetex", "x", "a", "1")]
    [InlineData("msetex", "3", "a", "1", "b", "2")] // its last key would be past the arguments
    [InlineData("eval", "return 1", "0", "x")]
    [InlineData("ping")]
    public void TryGetRoutingKey_WithoutFindableKeys_RunsWhereItArrives(params string[] args) =>
        Assert.False(CommandKeys.TryGetRoutingKey(Definition(args[0]), Request(args), out _));

    [Fact]
    public void SpansSlots_OfMSetExWithOneHashTag_IsFalse()
    {
        var request = Request("msetex", "3", "{t}a", "1", "{t}b", "2", "{t}c", "3", "ex", "10");
        Assert.False(CommandKeys.SpansSlots(Definition("msetex"), request, Slot("{t}a")));
    }

    [Fact]
    public void SpansSlots_OfMSetExLooksOnlyAtKeys_NotAtValuesOrOptions()
    {
        // Values and options of other slots do not count; DEL's rule (every argument a key) would.
        Assert.NotEqual(Slot("{t}a"), Slot("other"));
        var request = Request("msetex", "2", "{t}a", "other", "{t}b", "other", "px", "other");
        Assert.False(CommandKeys.SpansSlots(Definition("msetex"), request, Slot("{t}a")));
    }

    [Fact]
    public void SpansSlots_OfMSetExWithKeysOfTwoSlots_IsTrue()
    {
        Assert.NotEqual(Slot("a"), Slot("b"));
        var request = Request("msetex", "2", "a", "1", "b", "2");
        Assert.True(CommandKeys.SpansSlots(Definition("msetex"), request, Slot("a")));
    }

    [Fact]
    public void SpansSlots_OfDelWithKeysOfTwoSlots_IsTrue() =>
        Assert.True(CommandKeys.SpansSlots(Definition("del"), Request("del", "a", "b"), Slot("a")));

    [Theory]
    [InlineData("get", "a")]
    [InlineData("set", "a", "b", "ifeq", "c")]
    [InlineData("delex", "a", "ifeq", "b")]
    public void SpansSlots_OfSingleKeyCommands_IsFalse(params string[] args) =>
        Assert.False(CommandKeys.SpansSlots(Definition(args[0]), Request(args), Slot(args[1])));

    [Theory]
    [InlineData("mget", "a", "b")]
    [InlineData("mset", "a", "1", "b", "2")]
    [InlineData("msetnx", "a", "1", "b", "2")]
    [InlineData("lcs", "a", "b")]
    public void SpansSlots_OfMultiKeyStringCommandsWithKeysOfTwoSlots_IsTrue(params string[] args) =>
        Assert.True(CommandKeys.SpansSlots(Definition(args[0]), Request(args), Slot("a")));

    [Theory]
    [InlineData("mget", "{t}a", "{t}b")]
    [InlineData("mset", "{t}a", "other", "{t}b", "other")] // values of other slots do not count
    [InlineData("msetnx", "{t}a", "1", "{t}b", "2")]
    [InlineData("lcs", "{t}a", "{t}b", "minmatchlen", "other")]
    [InlineData("mset", "a", "1", "b")] // the arity error is the command's own, where it arrives
    public void SpansSlots_OfMultiKeyStringCommandsInOneSlot_IsFalse(params string[] args) =>
        Assert.False(CommandKeys.SpansSlots(Definition(args[0]), Request(args), Slot(args[1])));
}

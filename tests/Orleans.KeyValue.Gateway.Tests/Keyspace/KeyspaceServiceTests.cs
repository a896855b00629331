using System.Text;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Gateway.Tests.Commands;

namespace Orleans.KeyValue.Gateway.Tests.Keyspace;

// The per-silo keyspace service: SCAN's TYPE filter names kinds through the same map as TYPE
// (ValueKinds), and expired keys are left out.
public sealed class KeyspaceServiceTests : IDisposable
{
    private readonly GatewayHarness _h = new();
    private readonly KeyspaceService _keyspace;

    public KeyspaceServiceTests() => _keyspace = new KeyspaceService(_h.Keys, slots: null);

    public void Dispose() => _h.Dispose();

    private List<string> Scan(string? type) =>
        [.. _keyspace.Scan(0, 1000, null, type is null ? null : Encoding.UTF8.GetBytes(type)).Items![1].Items!.Select(k => Encoding.UTF8.GetString(k.Bytes.Span))];

    [Theory]
    [InlineData(ValueKind.String, "string")]
    [InlineData(ValueKind.None, "none")]
    [InlineData(ValueKind.Hash, "hash")]
    [InlineData((ValueKind)200, "none")]
    public void ValueKinds_NamesEachKindAsTypeAnswers(ValueKind kind, string name) =>
        Assert.Equal(name, ValueKinds.Name(kind));

    [Fact]
    public void ScanType_FindsAKeyByTheNameTypeGivesIt()
    {
        _h.Run("set", "s", "v");
        _h.PlantOtherType("o");
        var stringName = _h.Run("type", "s").Text;
        var otherName = _h.Run("type", "o").Text;

        Assert.Equal(["s"], Scan(stringName));
        Assert.Equal(["o"], Scan(otherName));
        Assert.Equal(["o", "s"], Scan(null).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ScanType_IgnoresCase()
    {
        _h.Run("set", "s", "v");
        Assert.Equal(["s"], Scan("STRING"));
    }

    [Fact]
    public void KeysAndScan_LeaveOutExpiredKeys()
    {
        _h.Run("set", "live", "v");
        _h.Run("set", "dying", "v", "px", "10");
        _h.Time.Advance(TimeSpan.FromMilliseconds(11));

        Assert.Equal(["live"], _keyspace.Keys("*"u8.ToArray()).Select(k => Encoding.UTF8.GetString(k.Bytes.Span)));
        Assert.Equal(["live"], Scan(null));
    }
}

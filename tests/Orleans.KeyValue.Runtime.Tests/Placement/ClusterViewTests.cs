using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Tests.Placement;

public sealed class ClusterViewTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static (long Version, List<ClusterSilo> Members) Table(long version, params (int Port, SiloStatus Status)[] silos) => (
        version,
        [.. silos.Select((s, i) => new ClusterSilo
        {
            Silo = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, s.Port), 1000 + i),
            GatewayPort = 6379 + i,
            Name = "s" + i,
            Status = s.Status,
            StartTime = Start,
        })]);

    private static ClusterView Build((long Version, List<ClusterSilo> Members) table) => ClusterView.Build(table.Version, table.Members, 128);

    [Fact]
    public void EverySilo_ComputesTheSameOwners_FromTheSameTable()
    {
        var table = Table(5, (11111, SiloStatus.Active), (11112, SiloStatus.Active), (11113, SiloStatus.Active));
        var first = Build(table);
        var second = ClusterView.Build(5, Enumerable.Reverse(table.Members), 128);

        Assert.All(Enumerable.Range(0, KeySlot.Count), slot => Assert.Equal(first.OwnerOf(slot), second.OwnerOf(slot)));
    }

    [Fact]
    public void OnlyActiveSilos_OwnSlots_AndEachGetsAShare()
    {
        var view = Build(Table(3, (11111, SiloStatus.Active), (11112, SiloStatus.Joining), (11113, SiloStatus.Active), (11114, SiloStatus.Dead)));
        var counts = Enumerable.Range(0, KeySlot.Count).GroupBy(view.OwnerOf).ToDictionary(g => g.Key!.Endpoint.Port, g => g.Count());

        Assert.Equal([11111, 11113], counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.InRange(c, KeySlot.Count / 4, KeySlot.Count * 3 / 4));
    }

    [Fact]
    public void AJoiningSilo_TakesOnlyItsShare_FromTheOthers()
    {
        var before = Build(Table(1, (11111, SiloStatus.Active), (11112, SiloStatus.Active), (11113, SiloStatus.Active)));
        var after = Build(Table(2, (11111, SiloStatus.Active), (11112, SiloStatus.Active), (11113, SiloStatus.Active), (11114, SiloStatus.Active)));

        var moved = Enumerable.Range(0, KeySlot.Count).Where(s => !Equals(before.OwnerOf(s), after.OwnerOf(s))).ToList();

        // Consistent hashing: every moved slot moves to the new silo, and about a quarter move.
        Assert.All(moved, s => Assert.Equal(11114, after.OwnerOf(s)!.Endpoint.Port));
        Assert.InRange(moved.Count, KeySlot.Count / 8, KeySlot.Count * 3 / 8);
    }

    [Fact]
    public void NoActiveSilo_NoOwner()
    {
        var view = Build(Table(1, (11111, SiloStatus.Joining)));

        Assert.Null(view.OwnerOf(0));
        Assert.Empty(view.ActiveSilos);
    }
}

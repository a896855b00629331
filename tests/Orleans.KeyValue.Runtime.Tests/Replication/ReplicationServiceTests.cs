using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Replication;

namespace Orleans.KeyValue.Runtime.Tests.Replication;

public sealed class ReplicationServiceTests
{
    private static ClusterView View(long version, params (int Port, SiloStatus Status)[] silos) => ClusterView.Build(
        version,
        silos.Select((s, i) => new ClusterSilo
        {
            Silo = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, s.Port), 1000 + i),
            GatewayPort = 6379 + i,
            Name = "s" + i,
            Status = s.Status,
            StartTime = DateTimeOffset.UnixEpoch,
        }),
        128);

    [Fact]
    public void EverySlotsBackup_IsAnotherActiveSilo()
    {
        var view = View(4, (11111, SiloStatus.Active), (11112, SiloStatus.Active), (11113, SiloStatus.Active));
        var backups = ReplicationService.ComputeBackups(view, 128);

        Assert.All(Enumerable.Range(0, KeySlot.Count), slot =>
        {
            Assert.NotNull(backups[slot]);
            Assert.NotEqual(view.OwnerOf(slot), backups[slot]);
            Assert.Contains(backups[slot]!, view.ActiveSilos);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void WhenAnOwnerDies_EachOfItsSlotsGoesToItsBackup(int dead)
    {
        // The property the copies rely on: the next view after a crash gives every slot of the
        // dead silo to the silo that already holds its copy.
        (int Port, SiloStatus Status)[] silos = [(11111, SiloStatus.Active), (11112, SiloStatus.Active), (11113, SiloStatus.Active)];
        var before = View(4, silos);
        var backups = ReplicationService.ComputeBackups(before, 128);
        silos[dead].Status = SiloStatus.Dead;
        var after = View(5, silos);

        var lost = Enumerable.Range(0, KeySlot.Count).Where(s => before.OwnerOf(s)!.Endpoint.Port == 11111 + dead).ToList();
        Assert.NotEmpty(lost);
        Assert.All(lost, slot => Assert.Equal(backups[slot], after.OwnerOf(slot)));
    }

    [Fact]
    public void ASiloAlone_HasNoBackups()
    {
        var backups = ReplicationService.ComputeBackups(View(1, (11111, SiloStatus.Active), (11112, SiloStatus.Dead)), 128);

        Assert.All(backups, Assert.Null);
    }

    [Fact]
    public void BackupStore_Replace_MakesTheCopyComplete_AndTakeEmptiesIt()
    {
        var store = new BackupStore();
        var key = "k"u8.ToArray();
        var slot = KeySlot.Of(key);
        store.Apply(key, new KeyRecord("a"u8.ToArray(), ValueKind.String, KeyRecord.NoDeadline));
        Assert.False(store.IsComplete(slot));
        Assert.True(store.Holds(slot));

        store.Replace(slot, [(key, new KeyRecord("b"u8.ToArray(), ValueKind.String, 42))]);
        Assert.True(store.IsComplete(slot));

        var (records, complete) = store.Take(slot);
        Assert.True(complete);
        var only = Assert.Single(records);
        Assert.Equal("b"u8.ToArray(), only.Value.Value);
        Assert.Equal(42, only.Value.DeadlineMs);
        Assert.False(store.Holds(slot));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void BackupStore_ARemovalApplied_DeletesTheCopy_AndExpiredCopiesAreDropped()
    {
        var store = new BackupStore();
        store.Apply("gone"u8.ToArray(), new KeyRecord("a"u8.ToArray(), ValueKind.String, KeyRecord.NoDeadline));
        store.Apply("gone"u8.ToArray(), default);
        store.Apply("old"u8.ToArray(), new KeyRecord("a"u8.ToArray(), ValueKind.String, 1_000));
        store.Apply("new"u8.ToArray(), new KeyRecord("a"u8.ToArray(), ValueKind.String, 3_000));

        Assert.Equal(1, store.RemoveExpired(2_000));
        Assert.Equal(1, store.Count);
        Assert.True(store.Holds(KeySlot.Of("new"u8)));
    }
}

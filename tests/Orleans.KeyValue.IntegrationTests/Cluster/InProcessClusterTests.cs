using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// The store's silos on Orleans's in-process test cluster, driven through the Orleans client
/// (<see cref="IKeyGrain"/>), with the store's clock frozen unless a test advances it: so
/// deadlines can be compared to the millisecond across placements and hand-overs.
/// </summary>
public sealed class InProcessClusterTests(InProcessClusterTests.Silos silos) : IClassFixture<InProcessClusterTests.Silos>
{
    private const int Timeout = 180_000;

    private static byte[] Key(string name) => InProcessStoreCluster.Key(name);

    private static SetRequest SetPx(string value, long deadlineMs, SetCondition condition = SetCondition.Always) =>
        InProcessStoreCluster.SetAt(value, deadlineMs, condition);

    [Fact(Timeout = Timeout)]
    public async Task SetNxPx_HoldsTheLockExactlyUntilItsDeadline()
    {
        var store = silos.Store;
        var grain = store.Client.GetKeyGrain(Key("lock"));
        var deadline = store.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1500;

        Assert.Equal(KvReplyKind.Ok, (await grain.SetAsync(SetPx("token-1", deadline, SetCondition.IfNotExists))).Kind);
        Assert.Equal(KvReplyKind.Nil, (await grain.SetAsync(SetPx("token-2", deadline + 5000, SetCondition.IfNotExists))).Kind);
        Assert.Equal(1500, (await grain.TimeToLiveAsync(milliseconds: true, absolute: false)).Integer);

        // Redis expires a key once the clock is past its deadline: at the deadline it still holds.
        store.Time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal("token-1", Encoding.UTF8.GetString((await grain.GetAsync()).Bytes.Span));
        store.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(KvReplyKind.Nil, (await grain.GetAsync()).Kind);
        Assert.Equal(KvReplyKind.Ok, (await grain.SetAsync(SetPx("token-2", deadline + 5000, SetCondition.IfNotExists))).Kind);
    }

    [Fact(Timeout = Timeout)]
    public async Task KeyGrains_AreActivatedOnTheirSlotsOwner_AndTheirRecordsLiveThere()
    {
        var store = silos.Store;
        var owners = new HashSet<string>();
        for (var i = 0; i < 48; i++)
        {
            var key = Key($"placed{i}");
            var grain = store.Client.GetKeyGrain(key);
            Assert.Equal(KvReplyKind.Ok, (await grain.SetAsync(new SetRequest([(byte)i], SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false))).Kind);

            var owner = store.OwnerOf(KeySlot.Of(key));
            owners.Add(owner.SiloAddress.ToString());
            Assert.True(store.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context), "the Orleans client's call activates the key grain");
            Assert.Equal(owner.SiloAddress, context.Address.SiloAddress);
            foreach (var silo in store.Cluster.Silos)
            {
                Assert.Equal(silo == owner, InProcessStoreCluster.Records(silo).TryRead(key, out _));
            }
        }

        Assert.Equal(3, owners.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task KeyGrain_OnASlotItsSiloNoLongerServes_AnswersTryAgain_AndDeactivates()
    {
        var store = silos.Store;
        var key = Key("gate");
        var grain = store.Client.GetKeyGrain(key);
        Assert.Equal(KvReplyKind.Ok, (await grain.SetAsync(new SetRequest("v"u8.ToArray(), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false))).Kind);
        var slot = KeySlot.Of(key);
        var slots = InProcessStoreCluster.Slots(store.OwnerOf(slot));

        // As when the slot moves away while the activation lives: its calls are refused.
        slots.Drop(slot);
        try
        {
            var refused = await grain.GetAsync();
            Assert.True(refused.IsError && refused.Text!.StartsWith("TRYAGAIN ", StringComparison.Ordinal), refused.Text);
            await store.Cluster.WaitForDeactivationAsync(grain.GetGrainId()).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            slots.Serve(slot);
        }

        Assert.Equal("v", Encoding.UTF8.GetString((await grain.GetAsync()).Bytes.Span));
    }

    [Fact(Timeout = Timeout)]
    public async Task BinaryKeys_RoundTripByteForByte()
    {
        var store = silos.Store;
        byte[] key = [0xFF, 0x00, 0xC3, (byte)'\r', (byte)'\n', .. Guid.NewGuid().ToByteArray()];
        byte[] neighbour = [0xFE, .. key[1..]];
        byte[] value = [0x00, 0xFF, 0x80, 0x0A];

        Assert.Equal(KvReplyKind.Ok, (await store.Client.GetKeyGrain(key).SetAsync(new SetRequest(value, SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false))).Kind);

        Assert.Equal(value, (await store.Client.GetKeyGrain(key).GetAsync()).Bytes.ToArray());
        Assert.Equal(KvReplyKind.Nil, (await store.Client.GetKeyGrain(neighbour).GetAsync()).Kind);
        var owner = store.OwnerOf(KeySlot.Of(key));
        Assert.Equal(key, InProcessStoreCluster.Records(owner).FindKey(key));
    }

    /// <summary>Three silos shared by the tests of this class (unique keys per test).</summary>
    public sealed class Silos : IAsyncLifetime
    {
        private InProcessStoreCluster? _store;

        public InProcessStoreCluster Store => _store ?? throw new InvalidOperationException("Not started.");

        public async Task InitializeAsync() => _store = await InProcessStoreCluster.StartAsync(3);

        public async Task DisposeAsync()
        {
            if (_store is not null)
            {
                await _store.DisposeAsync();
            }
        }
    }
}

using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Resp;
using Orleans.TestingHost;

namespace Orleans.KeyValue.IntegrationTests.Cluster;

/// <summary>
/// Clean leaves on Orleans's in-process test cluster, each test on silos of its own: the store's
/// clock is frozen, so every deadline must come through the hand-overs to the millisecond.
/// </summary>
public sealed class InProcessLeaveTests
{
    private const int Timeout = 180_000;

    private static byte[] Key(string name) => InProcessStoreCluster.Key(name);

    private static SetRequest SetPx(string value, long deadlineMs, SetCondition condition = SetCondition.Always) =>
        InProcessStoreCluster.SetAt(value, deadlineMs, condition);

    [Theory(Timeout = Timeout)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task CleanStop_OfSilosAtOnce_LosesNoKeyAndNoDeadline(int stopping)
    {
        await using var store = await InProcessStoreCluster.StartAsync(3);
        var now = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var keys = Enumerable.Range(0, 300).Select(i => (Key: Key($"k{i}"), Value: $"v{i}", Deadline: i % 3 == 0 ? -1 : now + 60_000 + i)).ToList();
        foreach (var (key, value, deadline) in keys)
        {
            var request = deadline < 0
                ? new SetRequest(Encoding.UTF8.GetBytes(value), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false)
                : SetPx(value, deadline);
            var reply = await store.Client.GetKeyGrain(key.AsSpan()).SetAsync(request);
            Assert.True(reply.Kind == KvReplyKind.Ok, reply.Text);
        }

        // The first silo keeps the client's gateway; the others leave together, each handing
        // its slots over while the other one is leaving too.
        InProcessSiloHandle[] leaving = [.. store.Cluster.Silos.Skip(3 - stopping)];
        Assert.Contains(keys, k => leaving.Any(s => s == store.OwnerOf(KeySlot.Of(k.Key))));
        await Task.WhenAll(leaving.Select(s => store.Cluster.StopSiloAsync(s)));
        await store.WaitForViewAsync();

        var lost = new List<string>();
        foreach (var (key, value, deadline) in keys)
        {
            var grain = store.Client.GetKeyGrain(key.AsSpan());
            var read = await grain.GetAsync();
            var at = (await grain.TimeToLiveAsync(milliseconds: true, absolute: true)).Integer;
            if (read.Kind != KvReplyKind.Bulk || Encoding.UTF8.GetString(read.Bytes.Span) != value || at != deadline)
            {
                lost.Add($"{Encoding.UTF8.GetString(key)}: {read.Kind} at {at}, wanted {value} at {deadline}");
            }
        }

        Assert.Empty(lost);
    }
}

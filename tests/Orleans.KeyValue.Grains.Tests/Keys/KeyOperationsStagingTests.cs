using Orleans.KeyValue.Grains.Calls;

namespace Orleans.KeyValue.Grains.Tests.Keys;

/// <summary>
/// A replicated turn stages its writes: the turn sees them, the store does not until the
/// backup holds them and the turn commits, so no other reader sees a write a failover could lose.
/// </summary>
public sealed class KeyOperationsStagingTests : IDisposable
{
    private readonly KeyGrainHarness _harness = new();

    [Fact]
    public void StagedSet_IsSeenByTheTurn_ButNotStored_UntilCommitted()
    {
        _harness.Set("k", "old");
        var key = _harness.Operations("k");
        key.BeginStaging();

        Assert.Equal(KvReply.Ok, new SetCall(new SetRequest(KeyGrainHarness.Bytes("new"), SetCondition.Always, ExpiryMode.At, _harness.NowMs + 5_000, ReturnOld: false)).Invoke(key));
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("new")), new GetCall().Invoke(key));
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("old")), _harness.Get("k"));

        Assert.True(key.TakeStaged(out var record));
        Assert.Equal(_harness.NowMs + 5_000, record.DeadlineMs);
        key.Commit(record);
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("new")), _harness.Get("k"));
        Assert.InRange(_harness.Ttl("k"), 4_999, 5_000);
    }

    [Fact]
    public void StagedDelete_LeavesTheKey_UntilCommitted()
    {
        _harness.Set("k", "v");
        var key = _harness.Operations("k");
        key.BeginStaging();

        Assert.Equal(1, new DeleteCall().Invoke(key).Integer);
        Assert.Equal(0, new ExistsCall().Invoke(key).Integer);
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("v")), _harness.Get("k"));

        Assert.True(key.TakeStaged(out var record));
        Assert.False(record.Exists);
        key.Commit(record);
        Assert.Equal(KvReply.Nil, _harness.Get("k"));
    }

    [Fact]
    public void AReadOnlyTurn_StagesNothing()
    {
        _harness.Set("k", "v");
        var key = _harness.Operations("k");
        key.BeginStaging();

        new GetCall().Invoke(key);
        new TimeToLiveCall(true, false).Invoke(key);
        Assert.False(key.TakeStaged(out _));
    }

    [Fact]
    public void ARefusedConditionalSet_StagesNothing()
    {
        _harness.Set("k", "v");
        var key = _harness.Operations("k");
        key.BeginStaging();

        Assert.Equal(KvReply.Nil, new SetCall(new SetRequest(KeyGrainHarness.Bytes("x"), SetCondition.IfNotExists, ExpiryMode.Clear, 0, ReturnOld: false)).Invoke(key));
        Assert.False(key.TakeStaged(out _));
    }

    [Fact]
    public void ADroppedStagedWrite_LeavesTheStoreAsItWas()
    {
        _harness.Set("k", "v");
        var key = _harness.Operations("k");
        key.BeginStaging();
        new SetCall(new SetRequest(KeyGrainHarness.Bytes("x"), SetCondition.Always, ExpiryMode.Clear, 0, ReturnOld: false)).Invoke(key);

        // The backup refused: the turn ends without committing.
        Assert.True(key.TakeStaged(out _));
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("v")), _harness.Get("k"));
        Assert.Equal(KvReply.FromBulk(KeyGrainHarness.Bytes("v")), new GetCall().Invoke(key));
    }

    public void Dispose() => _harness.Dispose();
}

using Orleans.KeyValue.Grains.Calls;

namespace Orleans.KeyValue.Grains.Tests.Keys;

public sealed partial class KeyGrainTests : IDisposable
{
    private readonly KeyGrainHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static KvReply Bulk(string value) => KvReply.FromBulk(KeyGrainHarness.Bytes(value));

    [Fact]
    public void Get_OfMissingKey_ReturnsNil() => Assert.Equal(KvReply.Nil, _h.Get("missing"));

    [Fact]
    public void Set_ThenGet_ReturnsTheValue()
    {
        Assert.Equal(KvReply.Ok, _h.Set("k", "v"));
        Assert.Equal(Bulk("v"), _h.Get("k"));
    }

    [Fact]
    public void SetNx_OnExistingKey_ReturnsNilAndKeepsTheValue()
    {
        _h.Set("k", "old");
        Assert.Equal(KvReply.Nil, _h.Set("k", "new", SetCondition.IfNotExists));
        Assert.Equal(Bulk("old"), _h.Get("k"));
    }

    [Fact]
    public void SetXx_OnMissingKey_ReturnsNilAndCreatesNothing()
    {
        Assert.Equal(KvReply.Nil, _h.Set("k", "v", SetCondition.IfExists));
        Assert.Equal(KvReply.Nil, _h.Get("k"));
        Assert.Equal(0, _h.Storage.Count);
    }

    [Theory]
    [InlineData(SetCondition.Always, true, "old", "new")]
    [InlineData(SetCondition.IfNotExists, true, "old", "old")]
    [InlineData(SetCondition.IfExists, true, "old", "new")]
    [InlineData(SetCondition.Always, false, null, "new")]
    [InlineData(SetCondition.IfNotExists, false, null, "new")]
    [InlineData(SetCondition.IfExists, false, null, null)]
    public void SetGet_ReturnsTheOldValue_WhetherOrNotTheConditionHolds(SetCondition condition, bool exists, string? reply, string? after)
    {
        if (exists)
        {
            _h.Set("k", "old");
        }

        var result = _h.Set("k", "new", condition, get: true);

        Assert.Equal(reply is null ? KvReply.Nil : Bulk(reply), result);
        Assert.Equal(after is null ? KvReply.Nil : Bulk(after), _h.Get("k"));
    }

    [Fact]
    public void Set_WithoutKeepTtl_DiscardsTheOldDeadline()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000);
        _h.Set("k", "v2");
        Assert.Equal(-1, _h.Ttl("k"));
    }

    [Fact]
    public void Set_WithKeepTtl_KeepsTheOldDeadline()
    {
        var deadline = _h.NowMs + 1000;
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: deadline);
        _h.Advance(300);
        _h.Set("k", "v2", expiry: ExpiryMode.Keep);

        Assert.Equal(700, _h.Ttl("k"));
        Assert.Equal(Bulk("v2"), _h.Get("k"));
    }

    [Fact]
    public void Set_WithKeepTtl_OnMissingKey_HasNoDeadline()
    {
        _h.Set("k", "v", expiry: ExpiryMode.Keep);
        Assert.Equal(-1, _h.Ttl("k"));
    }

    [Fact]
    public void Key_ExpiresExactlyAfterItsDeadlineMillisecond()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 100);

        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(Bulk("v"), _h.Get("k")); // now == deadline: still there, as in Redis
        Assert.Equal(0, _h.Ttl("k"));
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(KvReply.Nil, _h.Get("k"));
        Assert.Equal(-2, _h.Ttl("k"));
    }

    [Fact]
    public void SetWithPastDeadline_LeavesNoKey()
    {
        _h.Set("k", "old");
        Assert.Equal(KvReply.Ok, _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs - 1));
        Assert.Equal(KvReply.Nil, _h.Get("k"));
        Assert.Equal(0, _h.Storage.Count);
    }

    [Fact]
    public void ExpiredKeys_AreReclaimedByTheWheel_WithoutAnyRead()
    {
        for (var i = 0; i < 1000; i++)
        {
            _h.Set("k" + i, "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 50 + i);
        }

        Assert.Equal(1000, _h.Storage.Count);
        _h.Advance(2000);

        Assert.Equal(0, _h.Storage.Count);
        Assert.Equal(0, _h.Wheel.Count);
        Assert.Equal(1000, _h.Statistics.ExpiredKeys);
    }

    [Fact]
    public void WheelEntry_ForAnOldDeadline_DoesNotExpireAKeyWhoseDeadlineMoved()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 100);
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 5000);

        _h.Advance(1000);
        Assert.Equal(Bulk("v"), _h.Get("k"));
        _h.Advance(4100);
        Assert.Equal(0, _h.Storage.Count);
    }

    [Fact]
    public void KeyWithADeadline_KeepsValueAndDeadline_UntilTheWheelReclaimsIt()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 10_000);

        Assert.Equal(Bulk("v"), _h.Get("k"));
        Assert.Equal(10_000, _h.Ttl("k"));
        _h.Advance(10_100);
        Assert.Equal(0, _h.Storage.Count);
        Assert.Equal(1, _h.Statistics.ExpiredKeys);
    }

    [Fact]
    public void RecordTakenOutsideTheTurn_ThenWrittenAgain_IsStillReclaimed()
    {
        // The wheel (or a flush) changes records outside the key's turn, by compare-and-swap:
        // a swap against a record that is gone fails, and the next write tracks its own deadline.
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 100);
        var key = KeyGrainHarness.Bytes("k");
        Assert.True(_h.Storage.TryRead(key, out var read));
        Assert.True(_h.Storage.TryRemove(key, read));
        Assert.False(_h.Storage.TryReplace(key, expectedExists: true, read, read with { DeadlineMs = _h.NowMs + 500 }));

        _h.Set("k", "w", expiry: ExpiryMode.At, deadline: _h.NowMs + 500);
        _h.Advance(600);
        Assert.Equal(0, _h.Storage.Count);
        Assert.Equal(1, _h.Statistics.ExpiredKeys);
    }

    [Fact]
    public void KeyRecord_StaysThreeWords_WithItsWheelTag()
    {
        // Value reference, deadline, and kind + wheel tag in one padded word: every key's record
        // sits in a dictionary node, so a fourth word would cost 8 bytes per key.
        Assert.Equal(24, System.Runtime.CompilerServices.Unsafe.SizeOf<KeyRecord>());
    }

    [Fact]
    public void KeyRefreshedWithAlternatingTtls_KeepsABoundedNumberOfWheelEntries()
    {
        // EXPIRE 1 s then 0.5 s, every 0.3 s, 200 times: each earlier deadline adds an entry, but
        // only the tracked one hands its deadline on when it fires; the stale ones end.
        _h.Set("k", "v");
        var most = 0;
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(1, _h.Call("k", new ExpireCall(_h.NowMs + 1000, ExpireCondition.Always)).Integer);
            Assert.Equal(1, _h.Call("k", new ExpireCall(_h.NowMs + 500, ExpireCondition.Always)).Integer);
            _h.Advance(300);
            most = Math.Max(most, _h.Wheel.Count);
        }

        Assert.InRange(most, 1, 6);
        _h.Advance(600);
        Assert.Equal(0, _h.Storage.Count);
        Assert.Equal(0, _h.Wheel.Count);
    }

    [Fact]
    public void KeySetAgainAndAgain_WithLaterDeadlines_AddsNoWheelEntries()
    {
        // No activation remembers what it scheduled: the stored deadline does (an entry at or
        // before it is pending), so only a deadline earlier than the stored one adds an entry.
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000);
        for (var i = 1; i <= 100; i++)
        {
            _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000 + i);
        }

        Assert.Equal(1, _h.Wheel.Count);
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 500);
        Assert.Equal(2, _h.Wheel.Count);

        // KEEPTTL and PERSIST add none; EXPIRE after PERSIST adds one.
        _h.Set("k", "w", expiry: ExpiryMode.Keep);
        Assert.Equal(2, _h.Wheel.Count);
        Assert.Equal(1, _h.Call("k", default(PersistCall)).Integer);
        Assert.Equal(2, _h.Wheel.Count);
        Assert.Equal(1, _h.Call("k", new ExpireCall(_h.NowMs + 3000, ExpireCondition.Always)).Integer);
        Assert.Equal(3, _h.Wheel.Count);

        // The early entries fire, find the later deadline and hand it on; the key goes at it.
        _h.Advance(2000);
        Assert.Equal(Bulk("w"), _h.Get("k"));
        _h.Advance(1100);
        Assert.Equal(0, _h.Storage.Count);
        Assert.Equal(0, _h.Wheel.Count);
    }

    [Fact]
    public void GetDelete_ReturnsTheValueAndRemovesTheKey()
    {
        _h.Set("k", "v");
        Assert.Equal(Bulk("v"), _h.Call("k", default(GetDeleteCall)));
        Assert.Equal(KvReply.Nil, _h.Call("k", default(GetDeleteCall)));
    }

    [Fact]
    public void GetEx_WithPersist_RemovesTheDeadline()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000);
        Assert.Equal(Bulk("v"), _h.Call("k", new GetExCall(new GetExRequest(ExpiryMode.Persist, 0, null))));
        Assert.Equal(-1, _h.Ttl("k"));
    }

    [Fact]
    public void GetEx_WithPastAbsoluteDeadline_ReturnsTheValueAndDeletes()
    {
        _h.Set("k", "v");
        Assert.Equal(Bulk("v"), _h.Call("k", new GetExCall(new GetExRequest(ExpiryMode.At, _h.NowMs, null))));
        Assert.Equal(KvReply.Nil, _h.Get("k"));
    }

    [Fact]
    public void GetEx_WithAnError_AnswersItOnlyWhenTheKeyExists()
    {
        var request = new GetExRequest(ExpiryMode.Keep, 0, "ERR invalid expire time in 'getex' command");
        Assert.Equal(KvReply.Nil, _h.Call("k", new GetExCall(request)));
        _h.Set("k", "v");
        Assert.Equal(KvReply.FromError(request.Error!), _h.Call("k", new GetExCall(request)));
    }

    [Theory]
    [InlineData(ExpireCondition.Always, false, 1)]
    [InlineData(ExpireCondition.Always, true, 1)]
    [InlineData(ExpireCondition.IfNoDeadline, false, 1)]
    [InlineData(ExpireCondition.IfNoDeadline, true, 0)]
    [InlineData(ExpireCondition.IfHasDeadline, false, 0)]
    [InlineData(ExpireCondition.IfHasDeadline, true, 1)]
    [InlineData(ExpireCondition.IfGreater, false, 0)]
    [InlineData(ExpireCondition.IfLess, false, 1)]
    public void Expire_Conditions_FollowRedis(ExpireCondition condition, bool hasDeadline, long expected)
    {
        _h.Set("k", "v", expiry: hasDeadline ? ExpiryMode.At : ExpiryMode.Clear, deadline: _h.NowMs + 5000);
        Assert.Equal(expected, _h.Call("k", new ExpireCall(_h.NowMs + 3000, condition)).Integer);
    }

    [Theory]
    [InlineData(ExpireCondition.IfGreater, 6000, 1)]
    [InlineData(ExpireCondition.IfGreater, 5000, 0)]
    [InlineData(ExpireCondition.IfLess, 4000, 1)]
    [InlineData(ExpireCondition.IfLess, 5000, 0)]
    public void Expire_GreaterAndLess_CompareWithTheCurrentDeadline(ExpireCondition condition, long offset, long expected)
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 5000);
        Assert.Equal(expected, _h.Call("k", new ExpireCall(_h.NowMs + offset, condition)).Integer);
    }

    [Fact]
    public void Expire_InThePast_DeletesTheKeyAndReturnsOne()
    {
        _h.Set("k", "v");
        Assert.Equal(1, _h.Call("k", new ExpireCall(_h.NowMs, ExpireCondition.Always)).Integer);
        Assert.Equal(KvReply.Nil, _h.Get("k"));
    }

    [Fact]
    public void Expire_OnMissingKey_ReturnsZero() =>
        Assert.Equal(0, _h.Call("k", new ExpireCall(_h.NowMs + 1000, ExpireCondition.Always)).Integer);

    [Fact]
    public void Persist_RemovesADeadlineOnce()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 1000);
        Assert.Equal(1, _h.Call("k", default(PersistCall)).Integer);
        Assert.Equal(0, _h.Call("k", default(PersistCall)).Integer);
        _h.Advance(2000);
        Assert.Equal(Bulk("v"), _h.Get("k"));
    }

    [Theory]
    [InlineData(1499, 1)]
    [InlineData(1500, 2)]
    [InlineData(400, 0)]
    public void Ttl_InSeconds_RoundsToNearest(long remaining, long seconds)
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + remaining);
        Assert.Equal(seconds, _h.Ttl("k", ms: false));
    }

    [Fact]
    public void ExpireTime_ReturnsTheAbsoluteDeadline()
    {
        var deadline = _h.NowMs + 12_345;
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: deadline);
        Assert.Equal(deadline, _h.Call("k", new TimeToLiveCall(milliseconds: true, absolute: true)).Integer);
        Assert.Equal((deadline + 500) / 1000, _h.Call("k", new TimeToLiveCall(milliseconds: false, absolute: true)).Integer);
    }

    [Fact]
    public void Type_IsNoneOrString()
    {
        Assert.Equal(KvReply.FromStatus("none"), _h.Call("k", default(TypeCall)));
        _h.Set("k", "v");
        Assert.Equal(KvReply.FromStatus("string"), _h.Call("k", default(TypeCall)));
    }

    [Fact]
    public void DeleteAndExists_CountTheKey()
    {
        Assert.Equal(0, _h.Call("k", default(ExistsCall)).Integer);
        _h.Set("k", "v");
        Assert.Equal(1, _h.Call("k", default(ExistsCall)).Integer);
        Assert.Equal(1, _h.Call("k", default(DeleteCall)).Integer);
        Assert.Equal(0, _h.Call("k", default(DeleteCall)).Integer);
    }

    [Fact]
    public void ExpiredKey_SeenByARead_CountsAsExpired()
    {
        _h.Set("k", "v", expiry: ExpiryMode.At, deadline: _h.NowMs + 5);
        _h.Time.Advance(TimeSpan.FromMilliseconds(6)); // before the wheel's tick fires
        Assert.Equal(KvReply.Nil, _h.Get("k"));
        Assert.Equal(1, _h.Statistics.ExpiredKeys);
        Assert.Equal(1, _h.Statistics.Misses);
    }
}

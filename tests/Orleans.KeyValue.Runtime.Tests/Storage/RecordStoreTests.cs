using System.Text;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Tests.Storage;

public sealed class RecordStoreTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Scan_VisitsEveryKeyExactlyOnce(int count)
    {
        var storage = new RecordStore<int>();
        for (var i = 0; i < 2500; i++)
        {
            storage.Write(Encoding.UTF8.GetBytes("key:" + i), i);
        }

        var seen = new List<int>();
        long cursor = 0;
        var calls = 0;
        do
        {
            cursor = storage.Scan(cursor, count, (_, value) => seen.Add(value));
            calls++;
        }
        while (cursor != 0 && calls < 100_000);

        Assert.Equal(2500, seen.Count);
        Assert.Equal(2500, seen.Distinct().Count());
    }

    [Fact]
    public void FindKey_ReturnsTheStoredArray()
    {
        var storage = new RecordStore<int>();
        var key = Encoding.UTF8.GetBytes("k");
        storage.Write(key, 1);

        Assert.Same(key, storage.FindKey("k"u8));
        Assert.Null(storage.FindKey("other"u8));
    }

    [Fact]
    public void Clear_RemovesOneKey_ClearAll_RemovesEveryKey()
    {
        var storage = new RecordStore<int>();
        storage.Write(Encoding.UTF8.GetBytes("a"), 1);
        storage.Write(Encoding.UTF8.GetBytes("b"), 2);

        Assert.True(storage.Clear("a"u8));
        Assert.False(storage.TryRead("a"u8, out _));
        Assert.Equal(1, storage.Count);
        storage.ClearAll();
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public void TakeSlot_RemovesAndReturnsExactlyThatSlotsKeys()
    {
        var storage = new RecordStore<int>();
        for (var i = 0; i < 500; i++)
        {
            storage.Write(Encoding.UTF8.GetBytes("{user1}:" + i), i);
            storage.Write(Encoding.UTF8.GetBytes("other:" + i), i);
        }

        var slot = KeySlot.Of("user1"u8);
        var taken = storage.TakeSlot(slot);

        Assert.Equal(500, taken.Count);
        Assert.All(taken, pair => Assert.Equal(slot, KeySlot.Of(pair.Key)));
        Assert.Equal(0, storage.CountInSlot(slot));
        Assert.Equal(500, storage.Count);
        Assert.False(storage.TryRead("{user1}:7"u8, out _));
    }

    [Fact]
    public void Scan_WithSlotFilter_StopsAtTheFirstRefusedSlot()
    {
        var storage = new RecordStore<int>();
        for (var i = 0; i < 2000; i++)
        {
            storage.Write(Encoding.UTF8.GetBytes("key:" + i), i);
        }

        var seen = new List<byte[]>();
        var cursor = storage.Scan(0, int.MaxValue, (key, _) => seen.Add(key), slot => slot < 8000);

        Assert.Equal(8000L << 32, cursor);
        Assert.All(seen, key => Assert.True(KeySlot.Of(key) < 8000));
        var rest = new List<byte[]>();
        Assert.Equal(0, storage.Scan(cursor, int.MaxValue, (key, _) => rest.Add(key)));
        Assert.Equal(2000, seen.Count + rest.Count);
    }

    [Fact]
    public void TryReplace_WritesOnlyOverTheRecordRead()
    {
        var store = new RecordStore<string>();
        var key = Encoding.UTF8.GetBytes("k");
        Assert.True(store.TryReplace(key, expectedExists: false, null!, "a"));
        Assert.False(store.TryReplace(key, expectedExists: false, null!, "b"));
        Assert.False(store.TryReplace(key, expectedExists: true, "x", "b"));
        Assert.True(store.TryReplace(key, expectedExists: true, "a", "b"));
        Assert.True(store.TryRead(key, out var value));
        Assert.Equal("b", value);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TryRemove_RemovesOnlyTheRecordRead()
    {
        var store = new RecordStore<string>();
        var key = Encoding.UTF8.GetBytes("k");
        store.Write(key, "a");
        Assert.False(store.TryRemove(key, "b"));
        Assert.Equal(1, store.Count);
        Assert.True(store.TryRemove(Encoding.UTF8.GetBytes("k"), "a"));
        Assert.Equal(0, store.Count);
        Assert.False(store.TryRemove(key, "a"));
    }
}

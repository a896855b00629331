using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Tests.Memory;

/// <summary>
/// Eviction over a store whose used memory is its records' bytes (the process's own measure is
/// replaced), on a manual clock: each policy evicts what Redis's would, until under the limit.
/// </summary>
public sealed class EvictorTests
{
    private const int Keys = 200;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordStore<KeyRecord> _storage = KeyRecordSize.NewStore();

    [Theory(Timeout = 30_000)]
    [InlineData(EvictionPolicy.AllKeysLru)]
    [InlineData(EvictionPolicy.AllKeysLfu)]
    public async Task RankingPolicy_KeepsTheKeysInUse_AndEvictsUntilUnderTheLimit(EvictionPolicy policy)
    {
        var (memory, services, evictor) = Make(policy);
        for (var i = 0; i < Keys; i++)
        {
            Set(services, $"key:{i}", hasDeadline: false);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // The first 20 keys are the ones in use: read again and again, after every key was written.
        for (var round = 0; round < 30; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                Get(services, $"key:{i}");
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        memory.MaxMemory = _storage.Bytes / 2;
        Assert.True(await evictor.MakeRoomAsync());

        Assert.True(_storage.Bytes <= memory.MaxMemory, $"{_storage.Bytes} bytes left, limit {memory.MaxMemory}");
        Assert.InRange(_storage.Count, (Keys / 2) - 5, Keys / 2);
        Assert.Equal(_storage.Count, Keys - (int)memory.EvictedKeys);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(_storage.TryRead(Bytes($"key:{i}"), out _), $"key:{i}, in use, was evicted");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task VolatileTtl_EvictsTheNearestDeadlinesFirst()
    {
        var (memory, services, evictor) = Make(EvictionPolicy.VolatileTtl);
        for (var i = 0; i < Keys; i++)
        {
            // key:0 expires last, key:199 first.
            Set(services, $"key:{i}", hasDeadline: true, deadlineInMs: 1_000_000 - (i * 1000));
        }

        memory.MaxMemory = _storage.Bytes / 2;
        Assert.True(await evictor.MakeRoomAsync());

        for (var i = 0; i < 50; i++)
        {
            Assert.True(_storage.TryRead(Bytes($"key:{i}"), out _), $"key:{i}, among the furthest deadlines, was evicted");
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(EvictionPolicy.VolatileLru)]
    [InlineData(EvictionPolicy.VolatileLfu)]
    [InlineData(EvictionPolicy.VolatileRandom)]
    [InlineData(EvictionPolicy.VolatileTtl)]
    public async Task VolatilePolicy_EvictsOnlyKeysWithADeadline_ThenRefuses(EvictionPolicy policy)
    {
        var (memory, services, evictor) = Make(policy);
        for (var i = 0; i < Keys; i++)
        {
            Set(services, $"key:{i}", hasDeadline: i % 2 == 0);
        }

        // Even evicting every key with a deadline cannot get under: they go (sampling finds them
        // among the others pass after pass), and once none is found the command is refused.
        memory.MaxMemory = 1;
        var passes = 0;
        while (await evictor.MakeRoomAsync())
        {
            Assert.True(++passes < 100, "the evictor never ran out of keys to evict");
        }

        Assert.InRange(memory.EvictedKeys, Keys / 4, Keys / 2);
        Assert.Equal(Keys - memory.EvictedKeys, _storage.Count);
        for (var i = 1; i < Keys; i += 2)
        {
            Assert.True(_storage.TryRead(Bytes($"key:{i}"), out _), $"key:{i}, without a deadline, was evicted");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task AllKeysRandom_EvictsUntilUnderTheLimit()
    {
        var (memory, services, evictor) = Make(EvictionPolicy.AllKeysRandom);
        for (var i = 0; i < Keys; i++)
        {
            Set(services, $"key:{i}", hasDeadline: false);
        }

        memory.MaxMemory = _storage.Bytes / 4;
        Assert.True(await evictor.MakeRoomAsync());
        Assert.True(_storage.Bytes <= memory.MaxMemory);
        Assert.InRange(_storage.Count, (Keys / 4) - 5, Keys / 4);
    }

    [Fact(Timeout = 30_000)]
    public async Task NoEviction_PastTheLimit_RefusesAndKeepsEveryKey()
    {
        var (memory, services, evictor) = Make(EvictionPolicy.NoEviction);
        Set(services, "key", hasDeadline: false);
        memory.MaxMemory = 1;

        Assert.False(await evictor.MakeRoomAsync());
        Assert.Equal(1, _storage.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task UnderTheLimit_EvictsNothing()
    {
        var (memory, services, evictor) = Make(EvictionPolicy.AllKeysLru);
        Set(services, "key", hasDeadline: false);
        memory.MaxMemory = _storage.Bytes;

        Assert.True(await evictor.MakeRoomAsync());
        Assert.Equal(1, _storage.Count);
        Assert.Equal(0, memory.EvictedKeys);
    }

    [Fact]
    public void RecordStore_CountsBytes_AsRecordsComeAndGo()
    {
        var key = Bytes("counted");
        _storage.Write(key, new KeyRecord(new byte[100], ValueKind.String, KeyRecord.NoDeadline));
        var one = _storage.Bytes;
        Assert.Equal(key.Length + KeyRecordSize.Of(new KeyRecord(new byte[100], ValueKind.String, -1)) + RecordStore<KeyRecord>.RecordOverhead, one);

        _storage.Write(key, new KeyRecord(new byte[300], ValueKind.String, KeyRecord.NoDeadline));
        Assert.Equal(one + 200, _storage.Bytes);

        Assert.True(_storage.Clear(key));
        Assert.Equal(0, _storage.Bytes);
    }

    private (MemoryLimit Memory, KeyGrainServices Services, Evictor Evictor) Make(EvictionPolicy policy)
    {
        var memory = new MemoryLimit(0, policy, _time) { UsedMemoryOverride = () => _storage.Bytes };
        var services = new KeyGrainServices(_storage, new TimingWheel(NowMs, 10, 256), _time, new KeyspaceStatistics(), memory: memory);
        return (memory, services, new Evictor(services, new DirectInvoker(services)));
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Set(KeyGrainServices services, string key, bool hasDeadline, long deadlineInMs = 1_000_000) =>
        new SetCall(new SetRequest(new byte[100], SetCondition.Always, hasDeadline ? ExpiryMode.At : ExpiryMode.Clear, hasDeadline ? NowMs + deadlineInMs : 0, false))
            .Invoke(new KeyOperations(Bytes(key), services));

    private static void Get(KeyGrainServices services, string key) => default(GetCall).Invoke(new KeyOperations(Bytes(key), services));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Runs every call at once on the key's operations, as a key without an activation is served.</summary>
    private sealed class DirectInvoker(KeyGrainServices services) : IKeyInvoker
    {
        public ValueTask<KvReply> InvokeAsync<TCall>(ReadOnlySpan<byte> key, TCall call)
            where TCall : struct, IKeyCall => new(call.Invoke(new KeyOperations(key.ToArray(), services)));
    }
}

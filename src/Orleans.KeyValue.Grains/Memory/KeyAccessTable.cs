using System.IO.Hashing;
using System.Numerics;

namespace Orleans.KeyValue.Grains.Memory;

/// <summary>
/// When keys were last used, or how often (Redis's LRU clock and LFU counter), for the eviction
/// policies that rank keys: one 32-bit entry per hash of a key, in a table sized from
/// <c>maxmemory</c>, so a record pays nothing for it. Two keys sharing an entry share their
/// history: a key may look more recently or more often used than it was, never less, so the
/// approximation errs toward keeping keys, as Redis's sampling does in its own way.
/// </summary>
public sealed class KeyAccessTable
{
    /// <summary>Redis's <c>LFU_INIT_VAL</c>: the counter a new key starts with, so it is not evicted at once.</summary>
    public const int LfuInitialValue = 5;

    private readonly uint[] _entries;
    private readonly int _mask;
    private readonly long _originMs;

    /// <param name="size">Entries; a power of two.</param>
    /// <param name="originMs">The clock when the table was made (LRU entries count milliseconds from it).</param>
    public KeyAccessTable(int size, long originMs)
    {
        if (size <= 0 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The table size must be a positive power of two.");
        }

        _entries = new uint[size];
        _mask = size - 1;
        _originMs = originMs;
    }

    /// <summary>Entries of the table.</summary>
    public int Size => _entries.Length;

    /// <summary>A table size for a silo limited to <paramref name="maxMemory"/> bytes: an entry per 256 bytes (records cost more), 64 Ki to 16 Mi entries.</summary>
    public static int SizeFor(long maxMemory) =>
        (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(maxMemory / 256, 1 << 16, 1 << 24));

    /// <summary>Records a use of <paramref name="key"/> at <paramref name="nowMs"/>; <paramref name="created"/> when the use made the key.</summary>
    public void Touch(ReadOnlySpan<byte> key, long nowMs, bool lfu, bool created, int logFactor, int decayMinutes)
    {
        ref var entry = ref _entries[IndexOf(key)];
        if (!lfu)
        {
            entry = (uint)(nowMs - _originMs);
            return;
        }

        var minutes = Minutes(nowMs);
        var counter = created ? LfuInitialValue : LogIncrement(Decayed(entry, minutes, decayMinutes), logFactor);
        entry = (minutes << 8) | (uint)counter;
    }

    /// <summary>Redis's LFU counter of <paramref name="key"/> now (after decay): what OBJECT FREQ answers.</summary>
    public int FrequencyOf(ReadOnlySpan<byte> key, long nowMs, int decayMinutes) =>
        Decayed(_entries[IndexOf(key)], Minutes(nowMs), decayMinutes);

    /// <summary>Milliseconds since <paramref name="key"/> was last used (LRU).</summary>
    public long IdleMsOf(ReadOnlySpan<byte> key, long nowMs) => (uint)(nowMs - _originMs) - _entries[IndexOf(key)];

    /// <summary>
    /// How good a victim <paramref name="key"/> is: larger is evicted first. LRU: idle time; LFU:
    /// 255 less the decayed counter, as Redis's evictionPoolPopulate ranks them.
    /// </summary>
    public ulong EvictionScore(ReadOnlySpan<byte> key, long nowMs, bool lfu, int decayMinutes) =>
        lfu ? (ulong)(255 - FrequencyOf(key, nowMs, decayMinutes)) : (ulong)IdleMsOf(key, nowMs);

    private int IndexOf(ReadOnlySpan<byte> key) => (int)(XxHash3.HashToUInt64(key) & (uint)_mask);

    private static uint Minutes(long nowMs) => (uint)(nowMs / 60_000) & 0xFFFF;

    /// <summary>Redis's LFUDecrAndReturn: the counter less one per <paramref name="decayMinutes"/> since its last decrement.</summary>
    private static int Decayed(uint entry, uint nowMinutes, int decayMinutes)
    {
        var counter = (int)(entry & 0xFF);
        if (decayMinutes <= 0)
        {
            return counter;
        }

        var last = entry >> 8;
        var elapsed = nowMinutes >= last ? nowMinutes - last : 65535 - last + nowMinutes;
        var periods = elapsed / (uint)decayMinutes;
        return periods >= (uint)counter ? 0 : counter - (int)periods;
    }

    /// <summary>Redis's LFULogIncr: the counter grows with probability 1/((counter - 5) * factor + 1), up to 255.</summary>
    private static int LogIncrement(int counter, int logFactor)
    {
        if (counter == 255)
        {
            return 255;
        }

        var baseline = Math.Max(0, counter - LfuInitialValue);
        var probability = 1.0 / ((baseline * logFactor) + 1);
        return Random.Shared.NextDouble() < probability ? counter + 1 : counter;
    }
}

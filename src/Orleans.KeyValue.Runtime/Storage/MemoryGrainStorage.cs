using System.Collections.Concurrent;

namespace Orleans.KeyValue.Runtime.Storage;

/// <summary>
/// In-memory grain storage: concurrent hash tables keyed by the key's bytes, split into
/// segments by hash so that a SCAN cursor (segment, position) resumes with a bounded walk.
/// </summary>
/// <typeparam name="TState">The state of one grain.</typeparam>
public sealed class MemoryGrainStorage<TState> : IGrainStorage<TState>
{
    private const int SegmentBits = 8;
    private const int SegmentCount = 1 << SegmentBits;
    private readonly Segment[] _segments = new Segment[SegmentCount];

    public MemoryGrainStorage()
    {
        for (var i = 0; i < _segments.Length; i++)
        {
            _segments[i] = new Segment();
        }
    }

    public int Count
    {
        get
        {
            var count = 0;
            foreach (var segment in _segments)
            {
                count += segment.States.Count;
            }

            return count;
        }
    }

    public bool TryRead(ReadOnlySpan<byte> key, out TState state) => SegmentOf(key).BySpan.TryGetValue(key, out state!);

    public byte[]? FindKey(ReadOnlySpan<byte> key) =>
        SegmentOf(key).BySpan.TryGetValue(key, out var actual, out _) ? actual : null;

    public void Write(byte[] key, TState state) => SegmentOf(key).States[key] = state;

    public bool Clear(ReadOnlySpan<byte> key) => SegmentOf(key).BySpan.TryRemove(key, out _);

    public void ClearAll()
    {
        foreach (var segment in _segments)
        {
            segment.States.Clear();
        }
    }

    public long Scan(long cursor, int count, Action<byte[], TState> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);

        // Cursor = segment << 32 | position within the segment's enumeration. A concurrent
        // table has no stable order under writes, so, as with Redis's SCAN, keys written during
        // the walk may be missed or repeated; keys present throughout are seen.
        var segmentIndex = (int)((ulong)cursor >> 32);
        long position = cursor & 0xFFFF_FFFF;
        var visited = 0;
        for (; segmentIndex < SegmentCount; segmentIndex++, position = 0)
        {
            long index = 0;
            foreach (var pair in _segments[segmentIndex].States)
            {
                if (index++ < position)
                {
                    continue;
                }

                visit(pair.Key, pair.Value);
                if (++visited >= count)
                {
                    return ((long)segmentIndex << 32) | index;
                }
            }
        }

        return 0;
    }

    private Segment SegmentOf(ReadOnlySpan<byte> key) =>
        _segments[(uint)ByteArrayComparer.Instance.GetHashCode(key) >> (32 - SegmentBits)];

    private sealed class Segment
    {
        public Segment()
        {
            BySpan = States.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        public ConcurrentDictionary<byte[], TState> States { get; } = new(ByteArrayComparer.Instance);

        public ConcurrentDictionary<byte[], TState>.AlternateLookup<ReadOnlySpan<byte>> BySpan { get; }
    }
}

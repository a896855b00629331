using System.Collections.Concurrent;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Storage;

/// <summary>
/// The in-memory record store: one concurrent hash table per key slot, made on first use, so a
/// slot is handed over or scanned without touching the others, and a SCAN cursor
/// (slot, position) resumes with a walk bounded by one slot's size.
/// </summary>
/// <typeparam name="TState">The record of one key.</typeparam>
public sealed class RecordStore<TState> : IRecordStore<TState>
{
    /// <summary>What a record costs beyond its key and state bytes: the key array's header and a hash-table node (measured: bench/run.sh's memory figure).</summary>
    public const int RecordOverhead = 104;

    private readonly Segment?[] _slots = new Segment?[KeySlot.Count];
    private readonly Func<TState, int>? _sizeOf;
    private int _count;
    private long _bytes;

    /// <summary>A store that does not count its bytes.</summary>
    public RecordStore()
    {
    }

    /// <param name="sizeOf">The bytes a state holds beyond the record's fixed cost (its value array), for <see cref="Bytes"/>.</param>
    public RecordStore(Func<TState, int> sizeOf)
    {
        ArgumentNullException.ThrowIfNull(sizeOf);
        _sizeOf = sizeOf;
    }

    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    public bool TryRead(ReadOnlySpan<byte> key, out TState state)
    {
        if (_slots[KeySlot.Of(key)] is { } segment)
        {
            return segment.BySpan.TryGetValue(key, out state!);
        }

        state = default!;
        return false;
    }

    public byte[]? FindKey(ReadOnlySpan<byte> key) =>
        _slots[KeySlot.Of(key)] is { } segment && segment.BySpan.TryGetValue(key, out var actual, out _) ? actual : null;

    public void Write(byte[] key, TState state)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segment = SegmentFor(KeySlot.Of(key));
        while (true)
        {
            if (segment.States.TryAdd(key, state))
            {
                Interlocked.Increment(ref _count);
                Added(key, state);
                return;
            }

            // Replace only the value read, so the count stays exact when a flush races this write.
            if (segment.States.TryGetValue(key, out var old) && segment.States.TryUpdate(key, state, old))
            {
                Replaced(old, state);
                return;
            }
        }
    }

    public bool TryReplace(byte[] key, bool expectedExists, TState expected, TState state)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segment = SegmentFor(KeySlot.Of(key));
        if (!expectedExists)
        {
            if (!segment.States.TryAdd(key, state))
            {
                return false;
            }

            Interlocked.Increment(ref _count);
            Added(key, state);
            return true;
        }

        if (!segment.States.TryUpdate(key, state, expected))
        {
            return false;
        }

        Replaced(expected, state);
        return true;
    }

    public bool TryRemove(byte[] key, TState expected)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_slots[KeySlot.Of(key)] is { } segment && segment.States.TryRemove(KeyValuePair.Create(key, expected)))
        {
            Interlocked.Decrement(ref _count);
            Removed(key, expected);
            return true;
        }

        return false;
    }

    public bool Clear(ReadOnlySpan<byte> key)
    {
        if (_slots[KeySlot.Of(key)] is { } segment && segment.BySpan.TryRemove(key, out var actual, out var state))
        {
            Interlocked.Decrement(ref _count);
            Removed(actual, state);
            return true;
        }

        return false;
    }

    public void ClearAll()
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            TakeSlot(slot);
        }
    }

    public int CountInSlot(int slot) => _slots[slot]?.States.Count ?? 0;

    public List<KeyValuePair<byte[], TState>> CopySlot(int slot) =>
        _slots[slot] is { } segment ? [.. segment.States] : [];

    public List<KeyValuePair<byte[], TState>> TakeSlot(int slot)
    {
        var taken = new List<KeyValuePair<byte[], TState>>();
        if (_slots[slot] is not { } segment)
        {
            return taken;
        }

        foreach (var pair in segment.States)
        {
            // Remove exactly what was read, so a concurrent write is never dropped unseen.
            if (segment.States.TryRemove(pair))
            {
                Interlocked.Decrement(ref _count);
                Removed(pair.Key, pair.Value);
                taken.Add(pair);
            }
        }

        return taken;
    }

    public long Scan(long cursor, int count, Action<byte[], TState> visit, Func<int, bool>? includeSlot = null)
    {
        ArgumentNullException.ThrowIfNull(visit);

        // A concurrent table has no stable order under writes, so, as with Redis's SCAN, keys
        // written during the walk may be missed or repeated; keys present throughout are seen.
        var slot = (int)Math.Min((ulong)cursor >> 32, KeySlot.Count);
        long position = cursor & 0xFFFF_FFFF;
        var visited = 0;
        for (; slot < KeySlot.Count; slot++, position = 0)
        {
            if (includeSlot is not null && !includeSlot(slot))
            {
                return (long)slot << 32;
            }

            if (_slots[slot] is not { } segment)
            {
                continue;
            }

            long index = 0;
            foreach (var pair in segment.States)
            {
                if (index++ < position)
                {
                    continue;
                }

                visit(pair.Key, pair.Value);
                if (++visited >= count)
                {
                    return ((long)slot << 32) | index;
                }
            }
        }

        return 0;
    }

    public int Sample(int count, Action<byte[], TState> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        if (Count == 0 || count <= 0)
        {
            return 0;
        }

        // From a random slot on, a random run of each slot with records until count are seen: a
        // key's slot is a hash of the key, so neighbouring slots hold unrelated keys, and a silo
        // with few keys in few slots is sampled as well as one with many.
        var start = Random.Shared.Next(KeySlot.Count);
        var visited = 0;
        for (var i = 0; i < KeySlot.Count && visited < count; i++)
        {
            if (_slots[(start + i) % KeySlot.Count] is not { IsEmpty: false } segment)
            {
                continue;
            }

            var wanted = count - visited;
            var size = segment.States.Count;
            var skip = size > wanted ? Random.Shared.Next(size - wanted + 1) : 0;
            foreach (var pair in segment.States)
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                visit(pair.Key, pair.Value);
                if (++visited >= count)
                {
                    break;
                }
            }
        }

        return visited;
    }

    private void Added(byte[] key, TState state)
    {
        if (_sizeOf is not null)
        {
            Interlocked.Add(ref _bytes, key.Length + _sizeOf(state) + RecordOverhead);
        }
    }

    private void Replaced(TState old, TState state)
    {
        if (_sizeOf is not null)
        {
            Interlocked.Add(ref _bytes, _sizeOf(state) - _sizeOf(old));
        }
    }

    private void Removed(byte[] key, TState state)
    {
        if (_sizeOf is not null)
        {
            Interlocked.Add(ref _bytes, -(key.Length + _sizeOf(state) + RecordOverhead));
        }
    }

    private Segment SegmentFor(int slot)
    {
        var segment = Volatile.Read(ref _slots[slot]);
        if (segment is not null)
        {
            return segment;
        }

        Interlocked.CompareExchange(ref _slots[slot], new Segment(), null);
        return _slots[slot]!;
    }

    private sealed class Segment
    {
        public Segment()
        {
            // Two cores or thirty: a small lock table is enough for one slot's share of keys.
            States = new ConcurrentDictionary<byte[], TState>(concurrencyLevel: 4, capacity: 0, ByteArrayComparer.Instance);
            BySpan = States.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        public ConcurrentDictionary<byte[], TState> States { get; }

        public ConcurrentDictionary<byte[], TState>.AlternateLookup<ReadOnlySpan<byte>> BySpan { get; }

        public bool IsEmpty => States.IsEmpty;
    }
}

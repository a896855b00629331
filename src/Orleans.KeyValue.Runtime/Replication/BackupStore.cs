using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Storage;

namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>
/// The copies this silo keeps of slots that other silos own: records in a store of their own
/// (never seen by this silo's commands, DBSIZE, KEYS or SCAN), and per slot whether the copy is
/// complete (the owner sent the whole slot once, and every write since).
/// </summary>
public sealed class BackupStore
{
    private readonly RecordStore<KeyRecord> _records = KeyRecordSize.NewStore();
    private readonly bool[] _complete = new bool[KeySlot.Count];

    /// <summary>Keys held as copies.</summary>
    public int Count => _records.Count;

    /// <summary>About the bytes the copies hold.</summary>
    public long Bytes => _records.Bytes;

    /// <summary>Slots whose copy is complete.</summary>
    public int CompleteSlots => _complete.Count(c => c);

    /// <summary>True when the copy of <paramref name="slot"/> is complete.</summary>
    public bool IsComplete(int slot) => Volatile.Read(ref _complete[slot]);

    /// <summary>Applies one write: the key's new record, or its removal (<see cref="ValueKind.None"/>).</summary>
    public void Apply(byte[] key, in KeyRecord record)
    {
        if (record.Exists)
        {
            _records.Write(key, record);
        }
        else
        {
            _records.Clear(key);
        }
    }

    /// <summary>Replaces the copy of <paramref name="slot"/> with <paramref name="records"/>: it is complete from now on.</summary>
    public void Replace(int slot, List<(byte[] Key, KeyRecord Record)> records)
    {
        _records.TakeSlot(slot);
        foreach (var (key, record) in records)
        {
            _records.Write(key, record);
        }

        Volatile.Write(ref _complete[slot], true);
    }

    /// <summary>Removes the copy of <paramref name="slot"/> and returns it with whether it was complete.</summary>
    public (List<KeyValuePair<byte[], KeyRecord>> Records, bool Complete) Take(int slot)
    {
        var complete = Volatile.Read(ref _complete[slot]);
        Volatile.Write(ref _complete[slot], false);
        return (_records.TakeSlot(slot), complete);
    }

    /// <summary>True when this silo holds anything for <paramref name="slot"/>.</summary>
    public bool Holds(int slot) => IsComplete(slot) || _records.CountInSlot(slot) > 0;

    /// <summary>Drops the copy of <paramref name="slot"/> (this silo no longer backs it up).</summary>
    public void Drop(int slot)
    {
        Volatile.Write(ref _complete[slot], false);
        _records.TakeSlot(slot);
    }

    /// <summary>Removes records whose deadline passed (the owner expires its own; nobody reads these).</summary>
    public int RemoveExpired(long nowMs)
    {
        var removed = 0;
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            if (_records.CountInSlot(slot) == 0)
            {
                continue;
            }

            foreach (var pair in _records.CopySlot(slot))
            {
                if (pair.Value.IsExpiredAt(nowMs) && _records.TryRemove(pair.Key, pair.Value))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Drops every copy.</summary>
    public void Clear()
    {
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            Drop(slot);
        }
    }
}

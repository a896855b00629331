using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Runtime;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// The keys a script over one slot touches, each with its operations, while the slot is held
/// for the script alone (<see cref="SlotTurn"/>): any key of the slot may be read and written,
/// with its writes staged until the script's writes are all with the backup.
/// </summary>
public sealed class SlotKeys
{
    private readonly KeyGrainServices _services;
    private readonly Dictionary<byte[], KeyOperations> _touched = new(ByteArrayComparer.Instance);

    internal SlotKeys(KeyGrainServices services, int slot, IScriptHost? scripts)
    {
        _services = services;
        Slot = slot;
        Scripts = scripts;
    }

    /// <summary>The slot held.</summary>
    public int Slot { get; }

    internal IScriptHost? Scripts { get; }

    /// <summary>The operations of <paramref name="key"/>, or null for a key of another slot.</summary>
    public KeyOperations? Find(ReadOnlySpan<byte> key)
    {
        if (KeySlot.Of(key) != Slot)
        {
            return null;
        }

        var lookup = _touched.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(key, out var operations))
        {
            // The stored key array when the key exists, as a turn without an activation uses it.
            var array = _services.Storage.FindKey(key) ?? key.ToArray();
            operations = new KeyOperations(array, _services, Scripts);
            operations.BeginStaging();
            _touched[array] = operations;
        }

        return operations;
    }

    /// <summary>The writes the script left, one record per key written (<see cref="ValueKind.None"/> for a deleted key).</summary>
    internal List<(KeyOperations Operations, KeyRecord Record)> TakeWrites()
    {
        var writes = new List<(KeyOperations, KeyRecord)>();
        foreach (var operations in _touched.Values)
        {
            if (operations.TakeStaged(out var record))
            {
                writes.Add((operations, record));
            }
        }

        return writes;
    }
}

namespace Orleans.KeyValue.Runtime.Storage;

/// <summary>What a key record's state holds in memory beyond the store's per-record cost: its value array.</summary>
public static class KeyRecordSize
{
    /// <summary>The value's bytes, its array header and alignment.</summary>
    public static int Of(KeyRecord record) => record.Value.Length + 32;

    /// <summary>A store of key records that counts its bytes (<see cref="RecordStore{TState}.Bytes"/>).</summary>
    public static RecordStore<KeyRecord> NewStore() => new(Of);
}

using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>Key records on the silo connection: key, value, type tag, deadline.</summary>
public static class KeyRecordCodec
{
    public static void Write(WireWriter writer, byte[] key, in KeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBytes(key);
        writer.WriteBytes(record.Value);
        writer.WriteByte((byte)record.Kind);
        writer.WriteInt64(record.DeadlineMs);
    }

    public static (byte[] Key, KeyRecord Record) Read(WireReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var key = reader.ReadBytes();
        var value = reader.ReadBytes();
        var kind = (ValueKind)reader.ReadByte();
        var deadline = reader.ReadInt64();
        return (key, new KeyRecord(value, kind, deadline));
    }
}

namespace Orleans.KeyValue;

/// <summary>
/// The type tag a key carries: what lets a command for another type answer <c>WRONGTYPE</c>.
/// </summary>
[GenerateSerializer]
[Alias("kv.ValueKind")]
public enum ValueKind : byte
{
    /// <summary>No key.</summary>
    None = 0,
    /// <summary>A Redis string.</summary>
    String = 1,
    /// <summary>A Redis hash: the value holds its fields (see <see cref="HashEncoding"/>).</summary>
    Hash = 2,
}

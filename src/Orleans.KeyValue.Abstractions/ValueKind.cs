namespace Orleans.KeyValue;

/// <summary>
/// The type tag a key carries. Only strings exist today; the tag is what lets a command for
/// another type answer <c>WRONGTYPE</c> once more types arrive.
/// </summary>
[GenerateSerializer]
[Alias("kv.ValueKind")]
public enum ValueKind : byte
{
    /// <summary>No key.</summary>
    None = 0,
    /// <summary>A Redis string.</summary>
    String = 1,
}

namespace Orleans.KeyValue;

/// <summary>Reaches the grain of any Redis key, binary keys included.</summary>
public static class KeyGrainFactoryExtensions
{
    /// <summary>The grain type of key grains (<c>[GrainType("key")]</c> on the grain class).</summary>
    public const string GrainTypeName = "key";

    private static readonly GrainType KeyGrainType = GrainType.Create(GrainTypeName);

    /// <summary>
    /// The grain of <paramref name="key"/>. The grain id holds the key's bytes as they are (no text
    /// encoding), so keys that are not valid UTF-8 round-trip exactly; for a UTF-8 key this is the
    /// same grain as <c>GetGrain&lt;IKeyGrain&gt;(key)</c>.
    /// </summary>
    public static IKeyGrain GetKeyGrain(this IGrainFactory factory, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IKeyGrain>(KeyGrainId(key));
    }

    /// <summary>The grain id of <paramref name="key"/>'s grain.</summary>
    public static GrainId KeyGrainId(ReadOnlySpan<byte> key) => GrainId.Create(KeyGrainType, new IdSpan(key.ToArray()));

    /// <summary>The Redis key of a key grain's id (its bytes, as they are).</summary>
    public static byte[] KeyOf(GrainId grainId) => grainId.Key.AsSpan().ToArray();
}

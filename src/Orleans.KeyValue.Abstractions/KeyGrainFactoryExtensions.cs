namespace Orleans.KeyValue;

/// <summary>Reaches the grain of any Redis key, binary keys included.</summary>
public static class KeyGrainFactoryExtensions
{
    /// <summary>The grain type of key grains (<c>[GrainType("key")]</c> on the grain class).</summary>
    public const string GrainTypeName = "key";

    private const byte Escape = 0xFF;

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

    /// <summary>
    /// The grain id of <paramref name="key"/>'s grain: the key's bytes, except that the empty key
    /// and keys starting with 0xFF (never valid UTF-8) get a 0xFF in front. An empty id is no id
    /// to Orleans (a call to it was never answered: found by bench/fuzz.sh with <c>EVAL ... 1 ""</c>).
    /// </summary>
    public static GrainId KeyGrainId(ReadOnlySpan<byte> key)
    {
        if (!key.IsEmpty && key[0] != Escape)
        {
            return GrainId.Create(KeyGrainType, new IdSpan(key.ToArray()));
        }

        var escaped = new byte[key.Length + 1];
        escaped[0] = Escape;
        key.CopyTo(escaped.AsSpan(1));
        return GrainId.Create(KeyGrainType, new IdSpan(escaped));
    }

    /// <summary>The Redis key of a key grain's id (see <see cref="KeyGrainId"/>).</summary>
    public static byte[] KeyOf(GrainId grainId)
    {
        var id = grainId.Key.AsSpan();
        return (id.Length > 0 && id[0] == Escape ? id[1..] : id).ToArray();
    }
}

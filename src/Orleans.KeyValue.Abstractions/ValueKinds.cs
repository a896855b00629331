namespace Orleans.KeyValue;

/// <summary>
/// The one map from a key's <see cref="ValueKind"/> to the name Redis gives its type. TYPE,
/// SCAN's TYPE filter and the dashboard all read it, so they cannot disagree.
/// </summary>
public static class ValueKinds
{
    /// <summary>
    /// Redis's name for <paramref name="kind"/>: <c>string</c>, <c>hash</c>, else <c>none</c> (no key). A tag this
    /// build does not know reads as <c>none</c> too, as TYPE has always answered for it.
    /// </summary>
    public static string Name(ValueKind kind) => kind switch
    {
        ValueKind.String => "string",
        ValueKind.Hash => "hash",
        _ => "none",
    };
}

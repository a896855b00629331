using System.Text;

namespace Orleans.KeyValue;

/// <summary>
/// One reply of the store, as a small value: a grain call returns it, the gateway writes it in the
/// client's protocol version, scripts convert it to Lua values. Bulk values are not copied: a
/// bulk reply shares the stored (immutable) byte array.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("kv.KvReply")]
public readonly struct KvReply : IEquatable<KvReply>
{
    private KvReply(KvReplyKind kind, long integer, ReadOnlyMemory<byte> bytes, string? text, KvReply[]? items)
    {
        Kind = kind;
        Integer = integer;
        Bytes = bytes;
        Text = text;
        Items = items;
    }

    /// <summary>The reply's shape.</summary>
    [Id(0)]
    public KvReplyKind Kind { get; }

    /// <summary>The value of an <see cref="KvReplyKind.Integer"/> reply.</summary>
    [Id(1)]
    public long Integer { get; }

    /// <summary>The value of a <see cref="KvReplyKind.Bulk"/> reply.</summary>
    [Id(2)]
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The text of a status or error reply.</summary>
    [Id(3)]
    public string? Text { get; }

    /// <summary>The elements of an array, map (keys and values alternating) or set reply.</summary>
    [Id(4)]
    public KvReply[]? Items { get; }

    /// <summary>True for an error reply.</summary>
    public bool IsError => Kind == KvReplyKind.Error;

    /// <summary>The <c>+OK</c> status.</summary>
    public static KvReply Ok => new(KvReplyKind.Ok, 0, default, "OK", null);

    /// <summary>A nil bulk string.</summary>
    public static KvReply Nil => new(KvReplyKind.Nil, 0, default, null, null);

    /// <summary>A nil array.</summary>
    public static KvReply NilArray => new(KvReplyKind.NilArray, 0, default, null, null);

    /// <summary>The integer 0.</summary>
    public static KvReply Zero => new(KvReplyKind.Integer, 0, default, null, null);

    /// <summary>The integer 1.</summary>
    public static KvReply One => new(KvReplyKind.Integer, 1, default, null, null);

    /// <summary>An integer reply.</summary>
    public static KvReply FromInteger(long value) => new(KvReplyKind.Integer, value, default, null, null);

    /// <summary>A bulk string reply that shares <paramref name="value"/>.</summary>
    public static KvReply FromBulk(ReadOnlyMemory<byte> value) => new(KvReplyKind.Bulk, 0, value, null, null);

    /// <summary>A bulk string reply holding the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static KvReply FromBulk(string value) => new(KvReplyKind.Bulk, 0, Encoding.UTF8.GetBytes(value), null, null);

    /// <summary>Text meant for people (INFO, CLIENT INFO): RESP3 verbatim, RESP2 bulk.</summary>
    public static KvReply FromVerbatim(string text) => new(KvReplyKind.Verbatim, 0, Encoding.UTF8.GetBytes(text), null, null);

    /// <summary>A status reply (<c>+text</c>).</summary>
    public static KvReply FromStatus(string text) =>
        text == "OK" ? Ok : new(KvReplyKind.Status, 0, default, text, null);

    /// <summary>An error reply; <paramref name="text"/> starts with the error code, as <c>ERR syntax error</c>.</summary>
    public static KvReply FromError(string text) => new(KvReplyKind.Error, 0, default, text, null);

    /// <summary>An array reply.</summary>
    public static KvReply FromArray(KvReply[] items) => new(KvReplyKind.Array, 0, default, null, items);

    /// <summary>A map reply; <paramref name="keysAndValues"/> alternates keys and values.</summary>
    public static KvReply FromMap(KvReply[] keysAndValues) => new(KvReplyKind.Map, 0, default, null, keysAndValues);

    /// <summary>A set reply.</summary>
    public static KvReply FromSet(KvReply[] items) => new(KvReplyKind.Set, 0, default, null, items);

    /// <summary>Two-element array replies, flattened for RESP2 (see <see cref="KvReplyKind.Pairs"/>).</summary>
    public static KvReply FromPairs(KvReply[] pairs) => new(KvReplyKind.Pairs, 0, default, null, pairs);

    public bool Equals(KvReply other)
    {
        if (Kind != other.Kind || Integer != other.Integer || Text != other.Text || !Bytes.Span.SequenceEqual(other.Bytes.Span))
        {
            return false;
        }

        if (Items is null || other.Items is null)
        {
            return Items is null && other.Items is null;
        }

        return Items.AsSpan().SequenceEqual(other.Items);
    }

    public override bool Equals(object? obj) => obj is KvReply other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, Integer, Text, Bytes.Length);

    public static bool operator ==(KvReply left, KvReply right) => left.Equals(right);

    public static bool operator !=(KvReply left, KvReply right) => !left.Equals(right);

    /// <summary>A readable form for logs and test failures.</summary>
    public override string ToString() => Kind switch
    {
        KvReplyKind.Nil or KvReplyKind.NilArray => "(nil)",
        KvReplyKind.Ok or KvReplyKind.Status => "+" + Text,
        KvReplyKind.Error => "-" + Text,
        KvReplyKind.Integer => ":" + Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        KvReplyKind.Bulk or KvReplyKind.Verbatim => "\"" + Encoding.UTF8.GetString(Bytes.Span) + "\"",
        _ => "[" + string.Join(", ", (Items ?? []).Select(i => i.ToString())) + "]",
    };
}

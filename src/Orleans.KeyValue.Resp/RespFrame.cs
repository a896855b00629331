using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// One RESP2 or RESP3 reply frame, as read by <see cref="RespReplyReader"/>. Immutable; equal
/// frames have the same type, bytes, numbers, items and attributes, so whole trees compare
/// with <see cref="Equals(RespFrame?)"/>.
/// </summary>
public sealed class RespFrame : IEquatable<RespFrame>
{
    private RespFrame(RespFrameType type, byte[]? bytes, long integer, IReadOnlyList<RespFrame>? items, bool isNullArray, RespFrame? attribute)
    {
        Type = type;
        Bytes = bytes;
        Integer = integer;
        Items = items;
        IsNullArray = isNullArray;
        Attribute = attribute;
    }

    /// <summary>The RESP2 nil bulk string <c>$-1</c>, or the RESP3 null <c>_</c>.</summary>
    public static RespFrame Null { get; } = new(RespFrameType.Null, null, 0, null, isNullArray: false, null);

    /// <summary>The RESP2 nil array <c>*-1</c>.</summary>
    public static RespFrame NullArray { get; } = new(RespFrameType.Null, null, 0, null, isNullArray: true, null);

    /// <summary>The frame's type.</summary>
    public RespFrameType Type { get; }

    /// <summary>
    /// The payload of a simple string, error, bulk string, verbatim string (its <c>txt:</c>
    /// prefix included), blob error, double or big number, exactly as sent; otherwise null.
    /// </summary>
    public byte[]? Bytes { get; }

    /// <summary>The value of an <see cref="RespFrameType.Integer"/>; 1 or 0 for a boolean.</summary>
    public long Integer { get; }

    /// <summary>The value of a <see cref="RespFrameType.Boolean"/>.</summary>
    public bool Boolean => Type == RespFrameType.Boolean && Integer != 0;

    /// <summary>
    /// The elements of an array, set or push; for a map or attribute, keys and values
    /// alternating. Null for other types and for nulls.
    /// </summary>
    public IReadOnlyList<RespFrame>? Items { get; }

    /// <summary>True for the RESP2 nil array <c>*-1</c> (then <see cref="Type"/> is <see cref="RespFrameType.Null"/>).</summary>
    public bool IsNullArray { get; }

    /// <summary>
    /// The RESP3 attributes (<c>|</c>) sent just before this frame, as a frame of type
    /// <see cref="RespFrameType.Attribute"/>; null when there were none.
    /// </summary>
    public RespFrame? Attribute { get; }

    /// <summary><see cref="Bytes"/> decoded as UTF-8; empty when there are none.</summary>
    public string Text => Bytes is null ? string.Empty : Encoding.UTF8.GetString(Bytes);

    /// <summary>A frame whose payload is <paramref name="bytes"/> (simple string, error, bulk, verbatim, blob error, double, big number).</summary>
    public static RespFrame FromBytes(RespFrameType type, ReadOnlySpan<byte> bytes)
    {
        if (!HasBytes(type))
        {
            throw new ArgumentException($"A {type} frame has no byte payload.", nameof(type));
        }

        return new RespFrame(type, bytes.ToArray(), 0, null, isNullArray: false, null);
    }

    /// <summary>A frame whose payload is the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static RespFrame FromText(RespFrameType type, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromBytes(type, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>An integer frame.</summary>
    public static RespFrame FromInteger(long value) => new(RespFrameType.Integer, null, value, null, isNullArray: false, null);

    /// <summary>A RESP3 boolean frame.</summary>
    public static RespFrame FromBoolean(bool value) => new(RespFrameType.Boolean, null, value ? 1 : 0, null, isNullArray: false, null);

    /// <summary>
    /// An aggregate (array, set, push; map or attribute with keys and values alternating).
    /// The items are copied.
    /// </summary>
    public static RespFrame FromItems(RespFrameType type, IEnumerable<RespFrame> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!IsAggregate(type))
        {
            throw new ArgumentException($"A {type} frame has no items.", nameof(type));
        }

        var list = items.ToArray();
        if (Array.IndexOf(list, null) >= 0)
        {
            throw new ArgumentException("An item is null; use RespFrame.Null.", nameof(items));
        }

        if (type is RespFrameType.Map or RespFrameType.Attribute && list.Length % 2 != 0)
        {
            throw new ArgumentException("A map needs an even number of items: keys and values alternating.", nameof(items));
        }

        return new RespFrame(type, null, 0, list, isNullArray: false, null);
    }

    /// <summary>This frame preceded by the RESP3 attributes <paramref name="attribute"/>.</summary>
    public RespFrame WithAttribute(RespFrame? attribute)
    {
        if (attribute is not null && attribute.Type != RespFrameType.Attribute)
        {
            throw new ArgumentException("Attributes must be a frame of type Attribute.", nameof(attribute));
        }

        return new RespFrame(Type, Bytes, Integer, Items, IsNullArray, attribute);
    }

    internal static RespFrame Create(RespFrameType type, byte[] bytes) => new(type, bytes, 0, null, isNullArray: false, null);

    internal static RespFrame Create(RespFrameType type, RespFrame[] items) => new(type, null, 0, items, isNullArray: false, null);

    internal static bool HasBytes(RespFrameType type) => type is RespFrameType.SimpleString or RespFrameType.Error
        or RespFrameType.BulkString or RespFrameType.VerbatimString or RespFrameType.BlobError
        or RespFrameType.Double or RespFrameType.BigNumber;

    internal static bool IsAggregate(RespFrameType type) => type is RespFrameType.Array or RespFrameType.Set
        or RespFrameType.Push or RespFrameType.Map or RespFrameType.Attribute;

    public bool Equals(RespFrame? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Type != other.Type || Integer != other.Integer || IsNullArray != other.IsNullArray)
        {
            return false;
        }

        if (!(Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes)))
        {
            return false;
        }

        if (!(Attribute is null ? other.Attribute is null : Attribute.Equals(other.Attribute)))
        {
            return false;
        }

        if (Items is null || other.Items is null)
        {
            return Items is null && other.Items is null;
        }

        if (Items.Count != other.Items.Count)
        {
            return false;
        }

        for (var i = 0; i < Items.Count; i++)
        {
            if (!Items[i].Equals(other.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is RespFrame other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(Integer);
        hash.Add(IsNullArray);
        if (Bytes is not null)
        {
            hash.AddBytes(Bytes);
        }

        if (Items is not null)
        {
            hash.Add(Items.Count);
            foreach (var item in Items)
            {
                hash.Add(item.GetHashCode());
            }
        }

        return hash.ToHashCode();
    }

    /// <summary>The frame as redis-cli would print it, nested aggregates indented.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Format(builder, 0);
        return builder.ToString();
    }

    private void Format(StringBuilder builder, int indent)
    {
        if (Attribute is not null)
        {
            builder.Append("(attribute) ");
            Attribute.Format(builder, indent + "(attribute) ".Length);
            builder.Append('\n').Append(' ', indent);
        }

        switch (Type)
        {
            case RespFrameType.SimpleString:
                builder.Append(Text);
                break;
            case RespFrameType.Error:
            case RespFrameType.BlobError:
                builder.Append("(error) ").Append(Text);
                break;
            case RespFrameType.Integer:
                builder.Append("(integer) ").Append(Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case RespFrameType.BulkString:
                AppendQuoted(builder, Bytes!); // a BulkString always has bytes (constructors check)
                break;
            case RespFrameType.VerbatimString:
                builder.Append("(verbatim) ");
                AppendQuoted(builder, Bytes!); // as above
                break;
            case RespFrameType.Null:
                builder.Append(IsNullArray ? "(nil array)" : "(nil)");
                break;
            case RespFrameType.Double:
                builder.Append("(double) ").Append(Text);
                break;
            case RespFrameType.Boolean:
                builder.Append(Boolean ? "(true)" : "(false)");
                break;
            case RespFrameType.BigNumber:
                builder.Append("(big number) ").Append(Text);
                break;
            default:
                FormatAggregate(builder, indent);
                break;
        }
    }

    private void FormatAggregate(StringBuilder builder, int indent)
    {
        var items = Items!; // every other type was handled by Format
        var pairs = Type is RespFrameType.Map or RespFrameType.Attribute;
        var count = pairs ? items.Count / 2 : items.Count;
        if (count == 0)
        {
            builder.Append(Type switch
            {
                RespFrameType.Map => "(empty hash)",
                RespFrameType.Set => "(empty set)",
                RespFrameType.Attribute => "(empty attribute)",
                RespFrameType.Push => "(empty push)",
                _ => "(empty array)",
            });
            return;
        }

        var marker = Type switch
        {
            RespFrameType.Map => "#",
            RespFrameType.Set => "~",
            RespFrameType.Attribute => "|",
            RespFrameType.Push => ">",
            _ => ")",
        };
        var width = count.ToString(CultureInfo.InvariantCulture).Length;
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append('\n').Append(' ', indent);
            }

            var label = (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width) + marker + " ";
            builder.Append(label);
            if (pairs)
            {
                var key = new StringBuilder();
                items[2 * i].Format(key, indent + label.Length);
                builder.Append(key).Append(" => ");
                items[(2 * i) + 1].Format(builder, indent + label.Length + key.Length + 4);
            }
            else
            {
                items[i].Format(builder, indent + label.Length);
            }
        }
    }

    // redis-cli prints bulk strings with sdscatrepr's escapes.
    private static void AppendQuoted(StringBuilder builder, byte[] bytes)
    {
        builder.Append('"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\':
                    builder.Append(@"\\");
                    break;
                case (byte)'"':
                    builder.Append("\\\"");
                    break;
                case (byte)'\n':
                    builder.Append(@"\n");
                    break;
                case (byte)'\r':
                    builder.Append(@"\r");
                    break;
                case (byte)'\t':
                    builder.Append(@"\t");
                    break;
                case (byte)'\a':
                    builder.Append(@"\a");
                    break;
                case (byte)'\b':
                    builder.Append(@"\b");
                    break;
                case >= 0x20 and < 0x7f:
                    builder.Append((char)b);
                    break;
                default:
                    builder.Append(@"\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }

        builder.Append('"');
    }
}

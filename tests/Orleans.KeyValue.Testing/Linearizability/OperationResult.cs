using System.Globalization;

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>A reply to one operation: OK, nil, a bulk string or an integer.</summary>
public readonly record struct OperationResult
{
    private OperationResult(OperationResultKind kind, string? text, long number)
    {
        Kind = kind;
        Text = text;
        Number = number;
    }

    /// <summary>The reply's shape; <see cref="OperationResultKind.None"/> for the default value.</summary>
    public OperationResultKind Kind { get; }

    /// <summary>The bulk string, when <see cref="Kind"/> is <see cref="OperationResultKind.Bulk"/>.</summary>
    public string? Text { get; }

    /// <summary>The integer, when <see cref="Kind"/> is <see cref="OperationResultKind.Integer"/>.</summary>
    public long Number { get; }

    /// <summary>The simple string <c>OK</c>.</summary>
    public static OperationResult Ok { get; } = new(OperationResultKind.Ok, null, 0);

    /// <summary>A nil reply.</summary>
    public static OperationResult Nil { get; } = new(OperationResultKind.Nil, null, 0);

    /// <summary>A bulk string holding <paramref name="text"/>.</summary>
    public static OperationResult Bulk(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(OperationResultKind.Bulk, text, 0);
    }

    /// <summary>What GET replies for a key holding <paramref name="value"/>: nil when it is null.</summary>
    public static OperationResult Value(string? value) => value is null ? Nil : Bulk(value);

    /// <summary>An integer reply.</summary>
    public static OperationResult Integer(long number) => new(OperationResultKind.Integer, null, number);

    /// <summary>The reply as redis-cli shows it: <c>OK</c>, <c>(nil)</c>, <c>"text"</c>, <c>(integer) 1</c>.</summary>
    public override string ToString() => Kind switch
    {
        OperationResultKind.Ok => "OK",
        OperationResultKind.Nil => "(nil)",
        OperationResultKind.Bulk => Quote(Text),
        OperationResultKind.Integer => string.Create(CultureInfo.InvariantCulture, $"(integer) {Number}"),
        _ => "(no reply)",
    };

    /// <summary>A register value for messages: <c>"text"</c>, or <c>(missing)</c> for null.</summary>
    internal static string Quote(string? value) => value is null ? "(missing)" : "\"" + value + "\"";
}

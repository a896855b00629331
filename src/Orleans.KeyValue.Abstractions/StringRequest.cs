namespace Orleans.KeyValue;

/// <summary>
/// One string command on one key (see <see cref="StringOperation"/> for what each field means
/// to each operation). Errors are Redis's, decided in the key's turn in Redis's order.
/// </summary>
/// <param name="Operation">The command.</param>
/// <param name="Integer">The increment, the range start, or the offset.</param>
/// <param name="End">The range end (GETRANGE).</param>
/// <param name="Value">The bytes to append or write, or the INCRBYFLOAT increment as the client wrote it.</param>
/// <param name="MaxLength">The longest string APPEND and SETRANGE may make (Redis's <c>proto-max-bulk-len</c>); 0 for Redis's 512 MB.</param>
[GenerateSerializer, Immutable]
[Alias("kv.StringRequest")]
public readonly record struct StringRequest(
    [property: Id(0)] StringOperation Operation,
    [property: Id(1)] long Integer = 0,
    [property: Id(2)] long End = 0,
    [property: Id(3)] byte[]? Value = null,
    [property: Id(4)] long MaxLength = 0)
{
    /// <summary>Redis's default <c>proto-max-bulk-len</c>.</summary>
    public const long DefaultMaxLength = 512L * 1024 * 1024;
}

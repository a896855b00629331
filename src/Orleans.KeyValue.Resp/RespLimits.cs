namespace Orleans.KeyValue.Resp;

/// <summary>The protocol limits a parser enforces; the defaults are Redis's.</summary>
public sealed class RespLimits
{
    /// <summary>Redis's <c>proto-max-bulk-len</c>: 512 MB.</summary>
    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>The most arguments one command may have.</summary>
    public int MaxArguments { get; set; } = 1024 * 1024;

    /// <summary>Redis's <c>PROTO_INLINE_MAX_SIZE</c>: the longest inline command or count line, 64 KB.</summary>
    public int MaxInlineLength { get; set; } = 64 * 1024;

    /// <summary>Before authentication Redis allows at most this many arguments.</summary>
    public int MaxUnauthenticatedArguments { get; set; } = 10;

    /// <summary>Before authentication Redis allows bulk strings of at most this length.</summary>
    public int MaxUnauthenticatedBulkLength { get; set; } = 16384;
}

namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>What the key inspector shows about one key (<c>/api/keys/{key}</c>).</summary>
internal sealed record KeyDetails
{
    public required string Key { get; init; }
    public bool Exists { get; init; }
    public string Type { get; init; } = "none";
    public long Size { get; init; }

    /// <summary>A hash's number of fields (null for other types).</summary>
    public int? Fields { get; init; }
    /// <summary>"text" or "hex"; null when values are hidden or the key does not exist.</summary>
    public string? Encoding { get; init; }
    public string? Preview { get; init; }
    public bool Truncated { get; init; }
    public bool ValueHidden { get; init; }
    /// <summary>Milliseconds left, -1 without a deadline, -2 when the key does not exist (PTTL's values).</summary>
    public long TtlMs { get; init; } = -2;
    /// <summary>The absolute deadline in Unix milliseconds, or null.</summary>
    public long? ExpiresAtMs { get; init; }
    public string? Owner { get; init; }
    public string? OwnerName { get; init; }
    public bool GrainActive { get; init; }
    public int Slot { get; init; }
    public long ServerTimeMs { get; init; }
}

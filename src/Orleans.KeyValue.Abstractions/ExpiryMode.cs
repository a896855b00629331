namespace Orleans.KeyValue;

/// <summary>What a write does to the key's deadline.</summary>
[GenerateSerializer]
[Alias("kv.ExpiryMode")]
public enum ExpiryMode : byte
{
    /// <summary>Discard any deadline (a plain SET).</summary>
    Clear,
    /// <summary><c>KEEPTTL</c> (SET) or no option (GETEX): keep the current deadline.</summary>
    Keep,
    /// <summary><c>PERSIST</c> (GETEX): remove the deadline.</summary>
    Persist,
    /// <summary>A deadline in absolute Unix milliseconds (<c>EX</c>/<c>PX</c> are converted at parse time).</summary>
    At,
}

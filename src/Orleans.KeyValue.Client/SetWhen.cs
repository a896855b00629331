namespace Orleans.KeyValue.Client;

/// <summary>When a SET writes.</summary>
public enum SetWhen
{
    /// <summary>Always.</summary>
    Always,

    /// <summary>Only when the key does not exist (<c>NX</c>).</summary>
    NotExists,

    /// <summary>Only when the key exists (<c>XX</c>).</summary>
    Exists,
}

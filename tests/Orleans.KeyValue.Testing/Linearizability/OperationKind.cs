namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>The commands on one Redis string key that the register model knows.</summary>
public enum OperationKind
{
    /// <summary><c>SET key value</c>: replies OK and holds the value.</summary>
    Set,

    /// <summary><c>SET key value NX</c>: OK and holds the value if the key was missing, else nil and no change.</summary>
    SetNx,

    /// <summary><c>GET key</c>: the value, or nil when the key is missing.</summary>
    Get,

    /// <summary><c>DEL key</c>: 1 if the key existed (now it is missing), else 0.</summary>
    Del,

    /// <summary>
    /// <c>SET key value IFEQ expected</c> (Redis 8.4): OK and holds the value if the key exists and
    /// equals the expected value, else nil and no change (a missing key replies nil).
    /// </summary>
    SetIfEq,
}

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>What a message between silos carries (its handler on the receiving silo).</summary>
public enum SiloMessageType : byte
{
    /// <summary>Name, RESP port and start time of the receiving silo.</summary>
    Describe = 1,

    /// <summary>A client's command for a key whose slot the receiver owns.</summary>
    Command = 2,

    /// <summary>A cluster-wide command's part on the receiver's own keys (DBSIZE, KEYS, SCAN, ...).</summary>
    LocalCommand = 3,

    /// <summary>The keys of slots the receiver now owns.</summary>
    Handover = 4,

    /// <summary>The sender is leaving cleanly: stop counting it as an owner, wait for its keys.</summary>
    Leaving = 5,

    /// <summary>A dashboard query of the receiver's own figures.</summary>
    Dashboard = 7,
}

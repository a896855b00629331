namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>What a silo-to-silo request asks for.</summary>
public enum SiloMessageType : byte
{
    /// <summary>A failure-detector probe; carries the sender's view version.</summary>
    Ping = 1,

    /// <summary>A client command forwarded to the key's owner.</summary>
    Command = 2,

    /// <summary>A command that runs on the receiving silo's own keys only (a cluster-wide command's part).</summary>
    LocalCommand = 3,

    /// <summary>The keys of slots that changed owner.</summary>
    Handover = 4,

    /// <summary>An operation on the embedded membership table, hosted by the seed silo.</summary>
    MembershipTable = 5,

    /// <summary>The membership table changed: read it now.</summary>
    ViewChanged = 6,

    /// <summary>A dashboard query about the receiving silo (its statistics, a key it owns); JSON in reply.</summary>
    Dashboard = 7,
}

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

    /// <summary>A write for the receiver's copy of a slot it backs up (applied before the owner stores it).</summary>
    Replicate = 8,

    /// <summary>The whole content of slots the receiver backs up: its copies are replaced.</summary>
    BackupFill = 9,

    /// <summary>An owner asks the silo backing up its slots for a read lease.</summary>
    Lease = 10,

    /// <summary>A new owner asks for the copy of a slot the receiver backed up for a silo that died.</summary>
    BackupFetch = 11,
}

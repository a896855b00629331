namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>What became of a write sent to its slot's backup.</summary>
public enum ReplicaOutcome : byte
{
    /// <summary>The backup holds it (or the slot has no backup: the silo is alone): store it and reply.</summary>
    Stored = 0,

    /// <summary>The backup refused it: its view no longer gives this silo the slot. Nothing was applied.</summary>
    Refused = 1,

    /// <summary>The backup could not be reached and the write never arrived there. Nothing was applied.</summary>
    Unreachable = 2,

    /// <summary>The backup did not answer in time: it may hold the write or not.</summary>
    Unknown = 3,
}

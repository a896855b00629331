namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>A silo's status in the membership table (Orleans's <c>SiloStatus</c>).</summary>
public enum SiloStatus
{
    /// <summary>Inserted, starting up; owns no keys yet.</summary>
    Joining = 1,

    /// <summary>Serving: owns its share of the keyspace.</summary>
    Active = 2,

    /// <summary>Leaving cleanly: handing its keys to the remaining silos.</summary>
    ShuttingDown = 3,

    /// <summary>Gone, by a clean leave or declared dead by the others. Never comes back: a restart is a new generation.</summary>
    Dead = 4,
}

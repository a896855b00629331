namespace Orleans.KeyValue.Gateway.Cluster;

/// <summary>The parts of cluster-wide commands that each silo runs on its own keys.</summary>
public enum LocalOperation : byte
{
    /// <summary>Keys stored here.</summary>
    DbSize = 1,

    /// <summary>Keys here matching a pattern.</summary>
    Keys = 2,

    /// <summary>Remove every key here.</summary>
    Flush = 3,

    /// <summary>A SCAN step over the slots served here.</summary>
    Scan = 4,

    /// <summary>Keys and keys with a deadline, for INFO keyspace.</summary>
    KeyspaceStats = 5,

    /// <summary>Cache a script body (SCRIPT LOAD reaches every silo).</summary>
    ScriptLoad = 6,

    /// <summary>Drop the script cache.</summary>
    ScriptFlush = 7,

    /// <summary>Load a function library (FUNCTION LOAD reaches every silo).</summary>
    FunctionLoad = 8,

    /// <summary>Delete a function library.</summary>
    FunctionDelete = 9,

    /// <summary>Delete every function library.</summary>
    FunctionFlush = 10,

    /// <summary>Restore function libraries from a FUNCTION DUMP payload.</summary>
    FunctionRestore = 11,

    /// <summary>This silo's function libraries as a FUNCTION DUMP payload (for a silo that joins).</summary>
    FunctionDump = 12,

    /// <summary>ACL SETUSER on this silo's users (it reaches every silo).</summary>
    AclSetUser = 13,

    /// <summary>ACL DELUSER on this silo's users, closing their connections here.</summary>
    AclDelUser = 14,

    /// <summary>This silo's users as ACL LIST shows them (for a silo that joins).</summary>
    AclList = 15,
}

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>How <see cref="KeyTurns.TryRunStaged{TCall}"/> went.</summary>
public enum StagedTurn : byte
{
    /// <summary>The call ran and wrote nothing: its reply is final.</summary>
    Ran,

    /// <summary>The call ran and wrote: the write must reach the backup, then be stored or dropped.</summary>
    Staged,

    /// <summary>The key's grain is active here: the call goes to the grain.</summary>
    Active,

    /// <summary>Another call's write holds the key: wait for it, then try again.</summary>
    Busy,
}

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>A library of Redis functions (FUNCTION LOAD): its name, its code, and what it registered.</summary>
public sealed record FunctionLibrary(string Name, byte[] Code, IReadOnlyList<FunctionInfo> Functions);

/// <summary>One registered function: its name, description (or null) and flags.</summary>
public sealed record FunctionInfo(string Name, string? Description, IReadOnlyList<string> Flags)
{
    /// <summary>True when the function declared it writes nothing (it may run under FCALL_RO).</summary>
    public bool NoWrites => Flags.Contains("no-writes");
}

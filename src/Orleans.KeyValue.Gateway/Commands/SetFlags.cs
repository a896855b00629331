namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>The options of SET, GETEX and MSETEX that <see cref="StringOptionParser"/> has seen.</summary>
[Flags]
internal enum SetFlags
{
    None = 0,
    Nx = 1,
    Xx = 2,
    Get = 4,
    KeepTtl = 8,
    Ex = 16,
    Px = 32,
    ExAt = 64,
    PxAt = 128,
    Persist = 256,
    IfEq = 512,
    IfNe = 1024,
    IfDeq = 2048,
    IfDne = 4096,
    AnyExpire = Ex | Px | ExAt | PxAt,
    AnyIf = IfEq | IfNe | IfDeq | IfDne,
}

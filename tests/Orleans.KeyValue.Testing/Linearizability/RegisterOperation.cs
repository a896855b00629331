namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// A <see cref="HistoryOperation"/> compiled for the search: values are small integers (the key's
/// distinct strings, <see cref="Missing"/> for no key) and the reply is reduced to what the
/// register can check, so one step of the model is a few comparisons.
/// </summary>
internal readonly struct RegisterOperation
{
    /// <summary>The register state of a missing key.</summary>
    public const int Missing = -1;

    /// <summary>The operation writes no state.</summary>
    public const int NoWrite = -2;

    public RegisterOperation(OperationKind kind, bool isUnknown, int value, int expected, int read, bool applied, bool impossible)
    {
        Kind = kind;
        IsUnknown = isUnknown;
        Value = value;
        Expected = expected;
        Read = read;
        Applied = applied;
        Impossible = impossible;
        IsReadOnly = !isUnknown && !impossible && (kind == OperationKind.Get || (kind != OperationKind.Set && !applied));
        Writes = impossible || IsReadOnly || kind == OperationKind.Get ? NoWrite
            : kind == OperationKind.Del ? Missing
            : value;
    }

    public OperationKind Kind { get; }

    /// <summary>No reply: any result is accepted, and the search need not linearize it at all.</summary>
    public bool IsUnknown { get; }

    /// <summary>The value SET, SET NX and SET IFEQ write.</summary>
    public int Value { get; }

    /// <summary>The value SET IFEQ compares with.</summary>
    public int Expected { get; }

    /// <summary>The state a replied GET saw.</summary>
    public int Read { get; }

    /// <summary>Whether a replied SET NX, SET IFEQ or DEL said it changed the key (OK or 1).</summary>
    public bool Applied { get; }

    /// <summary>
    /// A replied GET, or a replied SET NX, SET IFEQ or DEL that said it changed nothing: wherever
    /// such an operation fits, it leaves the state as it was.
    /// </summary>
    public bool IsReadOnly { get; }

    /// <summary>The state the operation may leave when it changes the key; <see cref="NoWrite"/> if it never does.</summary>
    public int Writes { get; }

    /// <summary>The reply is one this command never gives (a SET replying nil, DEL replying 2): no state explains it.</summary>
    public bool Impossible { get; }

    /// <summary>
    /// One step of the register: whether the operation, run on <paramref name="state"/>, gives the
    /// reply it got, and the state it leaves.
    /// </summary>
    public bool TryApply(int state, out int next)
    {
        next = state;
        if (Impossible)
        {
            return false;
        }

        bool applies;
        switch (Kind)
        {
            case OperationKind.Set:
                next = Value;
                return true;
            case OperationKind.Get:
                return IsUnknown || state == Read;
            case OperationKind.SetNx:
                applies = state == Missing;
                break;
            case OperationKind.Del:
                applies = state != Missing;
                break;
            default:
                // IFEQ on a missing key replies nil: Expected is never Missing, so state == Expected covers it.
                applies = state == Expected;
                break;
        }

        if (!IsUnknown && applies != Applied)
        {
            return false;
        }

        if (applies)
        {
            next = Kind == OperationKind.Del ? Missing : Value;
        }

        return true;
    }
}

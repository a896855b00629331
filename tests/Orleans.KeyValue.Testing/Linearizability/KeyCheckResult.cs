namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>The checker's verdict on one key's history.</summary>
public sealed class KeyCheckResult
{
    internal KeyCheckResult(
        string key,
        LinearizabilityVerdict verdict,
        int operationCount,
        int configurationsExplored,
        string explanation,
        IReadOnlyList<HistoryOperation> longestPrefix,
        IReadOnlyList<HistoryOperation> unplaceable)
    {
        Key = key;
        Verdict = verdict;
        OperationCount = operationCount;
        ConfigurationsExplored = configurationsExplored;
        Explanation = explanation;
        LongestPrefix = longestPrefix;
        Unplaceable = unplaceable;
    }

    public string Key { get; }

    public LinearizabilityVerdict Verdict { get; }

    /// <summary>Operations on the key in the history, failed and unknown ones included.</summary>
    public int OperationCount { get; }

    /// <summary>Distinct (linearized set, state) configurations the search visited.</summary>
    public int ConfigurationsExplored { get; }

    /// <summary>
    /// One line for a linearizable key; otherwise also the longest linearizable prefix found (its
    /// last operations, in linearization order) and, for a violation, each operation that could have
    /// come next with the reason it cannot.
    /// </summary>
    public string Explanation { get; }

    /// <summary>
    /// The deepest linearization the search reached, in order (empty when linearizable). Each operation
    /// is the instance from the checked history.
    /// </summary>
    public IReadOnlyList<HistoryOperation> LongestPrefix { get; }

    /// <summary>
    /// For a violation: the operations that could come right after <see cref="LongestPrefix"/> in time,
    /// none of which leads to a full linearization. Empty otherwise.
    /// </summary>
    public IReadOnlyList<HistoryOperation> Unplaceable { get; }

    public override string ToString() => Explanation;
}

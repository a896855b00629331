using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>The checker's verdicts on a history, one per key.</summary>
public sealed class LinearizabilityResult
{
    internal LinearizabilityResult(IReadOnlyList<KeyCheckResult> keys)
    {
        Keys = keys;
        Violations = [.. keys.Where(k => k.Verdict == LinearizabilityVerdict.NotLinearizable)];
        Undecided = [.. keys.Where(k => k.Verdict == LinearizabilityVerdict.TimedOut)];
    }

    /// <summary>Every key of the history, in ordinal order of the key.</summary>
    public IReadOnlyList<KeyCheckResult> Keys { get; }

    /// <summary>The keys whose history is not linearizable.</summary>
    public IReadOnlyList<KeyCheckResult> Violations { get; }

    /// <summary>The keys the budget ran out on.</summary>
    public IReadOnlyList<KeyCheckResult> Undecided { get; }

    /// <summary>True when every key was found linearizable (a key that timed out makes this false).</summary>
    public bool IsLinearizable => Violations.Count == 0 && Undecided.Count == 0;

    /// <summary>
    /// <see cref="LinearizabilityVerdict.NotLinearizable"/> if any key is, else
    /// <see cref="LinearizabilityVerdict.TimedOut"/> if any key timed out, else linearizable.
    /// </summary>
    public LinearizabilityVerdict Verdict =>
        Violations.Count > 0 ? LinearizabilityVerdict.NotLinearizable
        : Undecided.Count > 0 ? LinearizabilityVerdict.TimedOut
        : LinearizabilityVerdict.Linearizable;

    /// <summary>The verdict on <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The history has no operation on the key.</exception>
    public KeyCheckResult For(string key) =>
        Keys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException("The history has no operation on key \"" + key + "\".");

    /// <summary>A count of keys, then the explanation of every key that is not linearizable or timed out.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Keys.Count - Violations.Count - Undecided.Count} of {Keys.Count} keys linearizable");
        text.Append(CultureInfo.InvariantCulture, $", {Violations.Count} not, {Undecided.Count} timed out.");
        foreach (var key in Violations.Concat(Undecided))
        {
            text.Append("\n\n").Append(key.Explanation);
        }

        return text.ToString();
    }
}

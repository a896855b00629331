using System.Globalization;

namespace Orleans.KeyValue.Testing.Linearizability;

/// <summary>
/// Violations the timestamps show without a search: a reply the command never gives, a read of a
/// value nothing wrote in time, and a read of a value that a completed write had replaced before
/// the read began. They are the usual faults (a stale or phantom read), and proving them by search
/// costs an exploration of every order before them, which unknown operations make exponential.
/// </summary>
internal sealed partial class RegisterSearch
{
    private KeyCheckResult? FindEvidentViolation()
    {
        var n = _operations.Length;
        for (var operation = 0; operation < n; operation++)
        {
            if (_operations[operation].Impossible)
            {
                return Evident(operation, "this command never gives that reply");
            }
        }

        // For each state (at index state + 1): the first invocation and the last completion of an
        // operation that may write it, unknown ones completing at infinity. The key starts missing,
        // as if written before everything.
        var firstInvoke = new long[_values.Count + 1];
        var lastComplete = new long[_values.Count + 1];
        var lastWriter = new int[_values.Count + 1];
        Array.Fill(firstInvoke, long.MaxValue);
        Array.Fill(lastComplete, long.MinValue);
        Array.Fill(lastWriter, -1);
        firstInvoke[0] = long.MinValue;
        for (var operation = 0; operation < n; operation++)
        {
            var writes = _operations[operation].Writes;
            if (writes == RegisterOperation.NoWrite)
            {
                continue;
            }

            firstInvoke[writes + 1] = Math.Min(firstInvoke[writes + 1], _sources[operation].InvokeTime);
            if (Deadline(operation) > lastComplete[writes + 1])
            {
                lastComplete[writes + 1] = Deadline(operation);
                lastWriter[writes + 1] = operation;
            }
        }

        // Replied operations that changed the key, by invocation, with the earliest completion
        // among each suffix: "one invoked after t completed before u" is then a binary search.
        var changers = Enumerable.Range(0, n)
            .Where(o => !_operations[o].IsUnknown && _operations[o].Writes != RegisterOperation.NoWrite)
            .OrderBy(o => _sources[o].InvokeTime)
            .ToArray();
        var invokes = changers.Select(o => _sources[o].InvokeTime).ToArray();
        var earliest = new int[changers.Length];
        for (var i = changers.Length - 1; i >= 0; i--)
        {
            earliest[i] = i == changers.Length - 1 || _sources[changers[i]].CompleteTime < _sources[earliest[i + 1]].CompleteTime
                ? changers[i]
                : earliest[i + 1];
        }

        for (var read = 0; read < n; read++)
        {
            if (_operations[read] is not { IsUnknown: false, Kind: OperationKind.Get })
            {
                continue;
            }

            var seen = _operations[read].Read;
            var source = _sources[read];
            if (firstInvoke[seen + 1] > source.CompleteTime)
            {
                return Evident(read, string.Create(CultureInfo.InvariantCulture, $"nothing that writes {Show(seen)} was invoked before it completed"));
            }

            // Every write of what it saw completed before some write of something else began, which
            // completed before the read began: the read came too late. (A write of the value seen
            // completes by lastComplete, so none is among the changers found.)
            var since = lastComplete[seen + 1];
            if (since == long.MaxValue)
            {
                continue;
            }

            var first = UpperBound(invokes, since);
            if (first < changers.Length && _sources[earliest[first]].CompleteTime < source.InvokeTime)
            {
                var writer = lastWriter[seen + 1];
                var written = writer < 0
                    ? "the key starts missing"
                    : string.Create(CultureInfo.InvariantCulture, $"the last write of it is {Describe(writer)}");
                return Evident(
                    read,
                    string.Create(CultureInfo.InvariantCulture, $"a stale read: {written}, then {Describe(earliest[first])} replaced it, all before the read began"));
            }
        }

        return null;
    }

    private KeyCheckResult Evident(int operation, string why) =>
        new(
            _key,
            LinearizabilityVerdict.NotLinearizable,
            _operationCount,
            0,
            Summary("not linearizable", 0) + "\n" + string.Create(CultureInfo.InvariantCulture, $"  {Describe(operation)}: {why}"),
            [],
            [_sources[operation]]);

    // The first index whose value exceeds value, in an ascending array.
    private static int UpperBound(long[] sorted, long value)
    {
        var low = 0;
        var high = sorted.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (sorted[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

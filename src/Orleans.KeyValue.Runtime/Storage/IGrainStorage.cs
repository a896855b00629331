using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Storage;

/// <summary>
/// Where grain state lives (Orleans: <c>IGrainStorage</c>). State outlives activations: an idle
/// activation is collected and the next call reads the state back. In memory by default; a
/// durable or replicated store implements the same interface. State is kept per key slot
/// (<see cref="KeySlot"/>), the unit the cluster places and hands over.
/// </summary>
/// <typeparam name="TState">The state of one grain.</typeparam>
public interface IGrainStorage<TState>
{
    /// <summary>The number of grains with state.</summary>
    int Count { get; }

    /// <summary>Reads the state of <paramref name="key"/>.</summary>
    bool TryRead(ReadOnlySpan<byte> key, out TState state);

    /// <summary>The key array the storage holds for <paramref name="key"/>, if any.</summary>
    byte[]? FindKey(ReadOnlySpan<byte> key);

    /// <summary>Writes the state of <paramref name="key"/>; the storage keeps the array.</summary>
    void Write(byte[] key, TState state);

    /// <summary>Removes the state of <paramref name="key"/>.</summary>
    bool Clear(ReadOnlySpan<byte> key);

    /// <summary>Removes every state.</summary>
    void ClearAll();

    /// <summary>The number of grains with state in <paramref name="slot"/>.</summary>
    int CountInSlot(int slot);

    /// <summary>Removes every state of <paramref name="slot"/> and returns it (a hand-over).</summary>
    List<KeyValuePair<byte[], TState>> TakeSlot(int slot);

    /// <summary>
    /// A weakly consistent walk in slot order from <paramref name="cursor"/> (0 to start; a
    /// cursor is <c>slot &lt;&lt; 32 | position</c>): up to <paramref name="count"/> entries,
    /// and the cursor to continue from (0 when done). The walk stops early, at the start of the
    /// first slot <paramref name="includeSlot"/> refuses, and returns that slot's cursor.
    /// </summary>
    long Scan(long cursor, int count, Action<byte[], TState> visit, Func<int, bool>? includeSlot = null);
}

using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Storage;

/// <summary>
/// The silo's compact store of key records: the canonical state of every key this silo owns.
/// Key grains read and write it inside their turns and keep no copy, so an idle key costs a
/// record, not an activation; the expiry wheel, flushes and hand-overs change it outside any
/// turn, which is why a grain's write names the record it read (<see cref="TryReplace"/>).
/// Records are kept per key slot (<see cref="KeySlot"/>), the unit the cluster places and hands over.
/// </summary>
/// <typeparam name="TState">The state of one grain.</typeparam>
public interface IRecordStore<TState>
{
    /// <summary>The number of grains with state.</summary>
    int Count { get; }

    /// <summary>About the bytes the records hold (keys, values and per-record overhead), when the store counts them; else 0.</summary>
    long Bytes { get; }

    /// <summary>Reads the state of <paramref name="key"/>.</summary>
    bool TryRead(ReadOnlySpan<byte> key, out TState state);

    /// <summary>The key array the storage holds for <paramref name="key"/>, if any.</summary>
    byte[]? FindKey(ReadOnlySpan<byte> key);

    /// <summary>Writes the state of <paramref name="key"/>; the storage keeps the array.</summary>
    void Write(byte[] key, TState state);

    /// <summary>
    /// Writes <paramref name="state"/> only while <paramref name="key"/> still holds exactly
    /// <paramref name="expected"/> (or, with <paramref name="expectedExists"/> false, holds
    /// nothing): false when someone else changed it since it was read.
    /// </summary>
    bool TryReplace(byte[] key, bool expectedExists, TState expected, TState state);

    /// <summary>Removes <paramref name="key"/> only while it holds exactly <paramref name="expected"/>.</summary>
    bool TryRemove(byte[] key, TState expected);

    /// <summary>Removes the state of <paramref name="key"/>.</summary>
    bool Clear(ReadOnlySpan<byte> key);

    /// <summary>Removes every state.</summary>
    void ClearAll();

    /// <summary>The number of grains with state in <paramref name="slot"/>.</summary>
    int CountInSlot(int slot);

    /// <summary>Removes every state of <paramref name="slot"/> and returns it (a hand-over).</summary>
    /// <summary>A copy of the records of <paramref name="slot"/>, leaving them in place.</summary>
    List<KeyValuePair<byte[], TState>> CopySlot(int slot);

    List<KeyValuePair<byte[], TState>> TakeSlot(int slot);

    /// <summary>
    /// A weakly consistent walk in slot order from <paramref name="cursor"/> (0 to start; a
    /// cursor is <c>slot &lt;&lt; 32 | position</c>): up to <paramref name="count"/> entries,
    /// and the cursor to continue from (0 when done). The walk stops early, at the start of the
    /// first slot <paramref name="includeSlot"/> refuses, and returns that slot's cursor.
    /// </summary>
    long Scan(long cursor, int count, Action<byte[], TState> visit, Func<int, bool>? includeSlot = null);

    /// <summary>
    /// Visits up to <paramref name="count"/> records from a random slot on, a random run of each
    /// slot with records (eviction's sampling); returns how many it visited, 0 when the store is empty.
    /// </summary>
    int Sample(int count, Action<byte[], TState> visit);
}

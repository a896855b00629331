namespace Orleans.KeyValue.Runtime.Timers;

/// <summary>
/// One timing wheel per silo schedules every grain deadline (Orleans: grain timers and
/// reminders): no OS timer, task or delay per key. A deadline lands in the slot of its tick; a
/// slot holds deadlines of later rotations too, which stay until their own rotation comes.
/// Entries are never removed early: the grain re-checks its deadline when an entry fires.
/// </summary>
public sealed class TimingWheel
{
    private readonly Lock _gate = new();
    private readonly List<Entry>[] _slots;
    private readonly int _mask;
    private readonly long _tickMs;
    private long _processedTick;
    private int _count;

    /// <param name="startMs">The clock when the wheel starts, in Unix milliseconds.</param>
    /// <param name="tickMs">The width of one slot.</param>
    /// <param name="slots">The number of slots; rounded up to a power of two.</param>
    public TimingWheel(long startMs, long tickMs, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tickMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 2);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots);
        _slots = new List<Entry>[size];
        for (var i = 0; i < size; i++)
        {
            _slots[i] = [];
        }

        _mask = size - 1;
        _tickMs = tickMs;
        _processedTick = startMs / tickMs;
    }

    /// <summary>Deadlines waiting in the wheel (stale ones included until they fire).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// Schedules <paramref name="key"/> to fire once the clock is past
    /// <paramref name="deadlineMs"/> (Redis's rule: expired when now &gt; deadline).
    /// </summary>
    public void Schedule(byte[] key, long deadlineMs)
    {
        ArgumentNullException.ThrowIfNull(key);

        // Due at deadline + 1 ms; the tick that covers that moment, rounded up.
        var dueTick = (deadlineMs / _tickMs) + 1;
        lock (_gate)
        {
            if (dueTick <= _processedTick)
            {
                dueTick = _processedTick + 1;
            }

            _slots[dueTick & _mask].Add(new Entry(key, deadlineMs, dueTick));
            _count++;
        }
    }

    /// <summary>
    /// Moves the wheel to <paramref name="nowMs"/> and appends every entry whose deadline has
    /// passed to <paramref name="due"/>. Returns how many were appended.
    /// </summary>
    public int Advance(long nowMs, List<(byte[] Key, long DeadlineMs)> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        var before = due.Count;
        var targetTick = nowMs / _tickMs;
        lock (_gate)
        {
            if (targetTick <= _processedTick)
            {
                return 0;
            }

            // After a long pause every slot is visited once, not once per missed tick.
            var ticks = Math.Min(targetTick - _processedTick, _slots.Length);
            for (long t = targetTick - ticks + 1; t <= targetTick; t++)
            {
                var slot = _slots[t & _mask];
                if (slot.Count == 0)
                {
                    continue;
                }

                var kept = 0;
                for (var i = 0; i < slot.Count; i++)
                {
                    var entry = slot[i];
                    if (entry.DueTick <= targetTick)
                    {
                        due.Add((entry.Key, entry.DeadlineMs));
                    }
                    else
                    {
                        slot[kept++] = entry;
                    }
                }

                slot.RemoveRange(kept, slot.Count - kept);
                if (slot.Count == 0 && slot.Capacity > 64)
                {
                    // Give memory back after a burst of deadlines in this slot.
                    slot.Capacity = 0;
                }
            }

            _processedTick = targetTick;
            _count -= due.Count - before;
        }

        return due.Count - before;
    }

    private readonly record struct Entry(byte[] Key, long DeadlineMs, long DueTick);
}

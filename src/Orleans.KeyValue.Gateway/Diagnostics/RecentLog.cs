namespace Orleans.KeyValue.Gateway.Diagnostics;

/// <summary>The last N entries, newest last (a ring buffer). Written rarely (errors, slow commands), so a lock is cheap.</summary>
/// <typeparam name="T">The entry.</typeparam>
public sealed class RecentLog<T>(int capacity)
{
    private readonly T[] _items = new T[Math.Max(1, capacity)];
    private readonly Lock _lock = new();
    private long _written;

    /// <summary>Entries added since start (also those pushed out).</summary>
    public long Total => Interlocked.Read(ref _written);

    public void Add(T item)
    {
        lock (_lock)
        {
            _items[_written % _items.Length] = item;
            Interlocked.Increment(ref _written);
        }
    }

    /// <summary>The entries kept, oldest first.</summary>
    public List<T> Snapshot()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_written, _items.Length);
            var list = new List<T>(count);
            for (var i = _written - count; i < _written; i++)
            {
                list.Add(_items[i % _items.Length]);
            }

            return list;
        }
    }
}

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// The table in one process's memory: the embedded default, hosted by the seed silo and
/// reached by the others over the silo connection; also the model the PostgreSQL table is
/// tested against.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, MembershipRow> _rows = [];
    private long _version;
    private long _nextETag;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(new MembershipSnapshot(_version, [.. _rows.Values]));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (_version != expectedVersion || _rows.ContainsKey(entry.Silo))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Silo] = new MembershipRow(entry, NextETag());
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (_version != expectedVersion || !_rows.TryGetValue(entry.Silo, out var row) || row.ETag != etag)
            {
                return Task.FromResult(false);
            }

            _rows[entry.Silo] = new MembershipRow(entry, NextETag());
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(silo, out var row))
            {
                _rows[silo] = row with { Entry = row.Entry with { IAmAliveTime = time } };
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> CleanupDeadAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var dead = _rows.Values.Where(r => r.Entry.Status == SiloStatus.Dead && r.Entry.IAmAliveTime < before).ToList();
            foreach (var row in dead)
            {
                _rows.Remove(row.Entry.Silo);
            }

            return Task.FromResult(dead.Count);
        }
    }

    private string NextETag() => (++_nextETag).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

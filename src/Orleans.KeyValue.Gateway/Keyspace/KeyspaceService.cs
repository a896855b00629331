using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Storage;

namespace Orleans.KeyValue.Gateway.Keyspace;

/// <summary>
/// This silo's part of the cluster-wide key commands (DBSIZE, KEYS, SCAN, FLUSH, INFO keyspace):
/// the one place the gateway reads the silo's record store, never by activating key grains.
/// Expired records still in the store are skipped, as every grain access would skip them.
/// </summary>
internal sealed class KeyspaceService(KeyGrainServices keys, SlotTable? slots)
{
    private readonly IRecordStore<KeyRecord> _storage = keys.Storage;

    /// <summary>Records stored here (DBSIZE counts them without an expiry check, as Redis's dbsize).</summary>
    public long Count => _storage.Count;

    /// <summary>True when this silo serves <paramref name="slot"/> (always, outside a cluster).</summary>
    public bool Serves(int slot) => slots is null || slots.IsServed(slot);

    /// <summary>
    /// Removes every key here, and the backup's copy of every slot served here (false when a
    /// backup did not confirm). Grains read their state from the store at every call, so this is enough.
    /// </summary>
    public async Task<bool> FlushAsync()
    {
        if (keys.Replication is { } replication)
        {
            return await replication.FlushAsync();
        }

        _storage.ClearAll();
        return true;
    }

    /// <summary>The live keys here matching <paramref name="pattern"/>.</summary>
    public List<KvReply> Keys(byte[] pattern)
    {
        var now = keys.NowMs;
        var all = pattern is [(byte)'*'];
        var found = new List<KvReply>();
        long cursor = 0;
        do
        {
            cursor = _storage.Scan(cursor, 4096, (key, record) =>
            {
                if (!record.IsExpiredAt(now) && (all || GlobPattern.IsMatch(pattern, key)))
                {
                    found.Add(KvReply.FromBulk(key));
                }
            });
        }
        while (cursor != 0);
        return found;
    }

    /// <summary>One SCAN step here: walks the slots this silo serves from <paramref name="cursor"/>; replies [next, keys].</summary>
    public KvReply Scan(long cursor, int count, byte[]? pattern, byte[]? type)
    {
        var now = keys.NowMs;
        var found = new List<KvReply>();
        Func<int, bool>? served = slots is null ? null : slots.IsServed;
        var next = _storage.Scan(cursor, count, (key, record) =>
        {
            if (record.IsExpiredAt(now) ||
                (pattern is not null && !GlobPattern.IsMatch(pattern, key)) ||
                (type is not null && !System.Text.Ascii.EqualsIgnoreCase(type, ValueKinds.Name(record.Kind))))
            {
                return;
            }

            found.Add(KvReply.FromBulk(key));
        }, served);
        return KvReply.FromArray([KvReply.FromInteger(next), KvReply.FromArray([.. found])]);
    }

    /// <summary>Keys stored here and how many of them have a deadline, for INFO keyspace.</summary>
    public (long Keys, long Expires) Statistics()
    {
        long expires = 0;
        long cursor = 0;
        do
        {
            cursor = _storage.Scan(cursor, 4096, (_, record) =>
            {
                if (record.HasDeadline)
                {
                    expires++;
                }
            });
        }
        while (cursor != 0);
        return (_storage.Count, expires);
    }
}

using System.Globalization;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Grains.Keys;

// The hash commands, as Redis 7.0's t_hash.c runs them on a small (listpack) hash: fields keep
// their insertion order, so HGETALL, HKEYS, HVALS and HSCAN answer in Redis's order. A write keeps
// the key's deadline; the last HDEL removes the key.
public sealed partial class KeyOperations
{
    // HRANDFIELD with a negative count builds its whole reply: at most this many picks.
    private const long MaxRandomFields = 10_000_000;

    /// <summary>One hash command on this key (see <see cref="HashOperation"/>).</summary>
    public KvReply Hash(in HashRequest request)
    {
        var now = _services.NowMs;
        var current = Live(now);
        if (current.Exists && current.Kind != ValueKind.Hash)
        {
            return ErrorReplies.WrongTypeReply;
        }

        var hash = current.Exists ? current.Value : HashEncoding.Empty;
        var args = request.Arguments ?? [];
        switch (request.Operation)
        {
            case HashOperation.Set or HashOperation.SetAll:
                return HashSet(current, hash, args, request.Operation == HashOperation.SetAll);
            case HashOperation.SetIfNew:
                if (HashEncoding.TryGet(hash, args[0], out _))
                {
                    return KvReply.Zero;
                }

                return HashSet(current, hash, args, replyOk: false);
            case HashOperation.Get:
                _services.Statistics.Read(current.Exists);
                return HashEncoding.TryGet(hash, args[0], out var value) ? KvReply.FromBulk(value) : KvReply.Nil;
            case HashOperation.GetMany:
                _services.Statistics.Read(current.Exists);
                var all = HashEncoding.Entries(hash);
                var index = FieldIndex(all);
                return KvReply.FromArray([.. args.Select(f => index.TryGetValue(f, out var at) ? KvReply.FromBulk(all[at].Value) : KvReply.Nil)]);
            case HashOperation.Delete:
                return HashDelete(current, hash, args);
            case HashOperation.Exists:
                return HashEncoding.TryGet(hash, args[0], out _) ? KvReply.One : KvReply.Zero;
            case HashOperation.GetAll:
                _services.Statistics.Read(current.Exists);
                return KvReply.FromMap([.. HashEncoding.Entries(hash).SelectMany(e => new[] { KvReply.FromBulk(e.Field), KvReply.FromBulk(e.Value) })]);
            case HashOperation.Keys:
                _services.Statistics.Read(current.Exists);
                return KvReply.FromArray([.. HashEncoding.Entries(hash).Select(e => KvReply.FromBulk(e.Field))]);
            case HashOperation.Values:
                _services.Statistics.Read(current.Exists);
                return KvReply.FromArray([.. HashEncoding.Entries(hash).Select(e => KvReply.FromBulk(e.Value))]);
            case HashOperation.Length:
                return KvReply.FromInteger(HashEncoding.Count(hash));
            case HashOperation.ValueLength:
                return KvReply.FromInteger(HashEncoding.TryGet(hash, args[0], out var found) ? found.Length : 0);
            case HashOperation.IncrementBy:
                return HashIncrementBy(current, hash, args[0], request.Integer);
            case HashOperation.IncrementByFloat:
                return HashIncrementByFloat(current, hash, args[0], args[1]);
            case HashOperation.RandomField:
                _services.Statistics.Read(current.Exists);
                return HashRandomField(current.Exists, hash, request);
            default:
                return KvReply.FromError(ErrorReplies.Syntax);
        }
    }

    private KvReply HashSet(in KeyRecord current, byte[] hash, byte[][] pairs, bool replyOk)
    {
        var entries = HashEncoding.Entries(hash);
        var index = FieldIndex(entries);
        var added = 0;
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            if (index.TryGetValue(pairs[i], out var at))
            {
                entries[at] = (entries[at].Field, pairs[i + 1]);
            }
            else
            {
                index[pairs[i]] = entries.Count;
                entries.Add((pairs[i], pairs[i + 1]));
                added++;
            }
        }

        StoreHash(current, entries);
        return replyOk ? KvReply.Ok : KvReply.FromInteger(added);
    }

    private KvReply HashDelete(in KeyRecord current, byte[] hash, byte[][] fields)
    {
        if (!current.Exists)
        {
            return KvReply.Zero;
        }

        var entries = HashEncoding.Entries(hash);
        var doomed = new HashSet<byte[]>(fields, Runtime.ByteArrayComparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();
        var removed = entries.RemoveAll(e => doomed.Contains(e.Field.Span));

        if (removed > 0)
        {
            StoreHash(current, entries);
        }

        return KvReply.FromInteger(removed);
    }

    private KvReply HashIncrementBy(in KeyRecord current, byte[] hash, byte[] field, long increment)
    {
        long value = 0;
        if (HashEncoding.TryGet(hash, field, out var old) && !RespNumber.TryParseInt64(old.Span, out value))
        {
            return ErrorReplies.HashNotIntegerReply;
        }

        if ((increment < 0 && value < 0 && increment < long.MinValue - value) || (increment > 0 && value > 0 && increment > long.MaxValue - value))
        {
            return ErrorReplies.IncrementOverflowReply;
        }

        value += increment;
        SetField(current, hash, field, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
        return KvReply.FromInteger(value);
    }

    private KvReply HashIncrementByFloat(in KeyRecord current, byte[] hash, byte[] field, byte[] incrementText)
    {
        // The gateway checked the increment (a finite float) before the key was looked at; a
        // caller through IKeyGrain gets Redis's error for a bad one here.
        var exists = HashEncoding.TryGet(hash, field, out var old);
        if (!TryAddFloat(old.Span, exists, incrementText, ErrorReplies.HashNotFloatReply, out var text, out var error))
        {
            return error;
        }

        SetField(current, hash, field, text);
        return KvReply.FromBulk(text);
    }

    /// <summary>Each field's position in <paramref name="entries"/>, so that a command over many fields of a big hash costs O(fields), not O(fields x entries).</summary>
    private static Dictionary<byte[], int> FieldIndex(List<(ReadOnlyMemory<byte> Field, ReadOnlyMemory<byte> Value)> entries)
    {
        var index = new Dictionary<byte[], int>(entries.Count, Runtime.ByteArrayComparer.Instance);
        for (var i = 0; i < entries.Count; i++)
        {
            index[entries[i].Field.ToArray()] = i;
        }

        return index;
    }

    private void SetField(in KeyRecord current, byte[] hash, byte[] field, byte[] value)
    {
        var entries = HashEncoding.Entries(hash);
        var at = entries.FindIndex(e => e.Field.Span.SequenceEqual(field));
        if (at >= 0)
        {
            entries[at] = (entries[at].Field, value);
        }
        else
        {
            entries.Add((field, value));
        }

        StoreHash(current, entries);
    }

    /// <summary>
    /// HRANDFIELD as Redis 7.0: one field (or nil); a count of 0 or a missing key gives an empty
    /// array; a negative count picks that many with repeats; a count at least the size gives the
    /// whole hash in order; a smaller one, that many distinct fields.
    /// </summary>
    private static KvReply HashRandomField(bool exists, byte[] hash, in HashRequest request)
    {
        if (!request.HasCount)
        {
            if (!exists)
            {
                return KvReply.Nil;
            }

            var all = HashEncoding.Entries(hash);
            return KvReply.FromBulk(all[Random.Shared.Next(all.Count)].Field);
        }

        var count = request.Integer;
        if (!exists || count == 0)
        {
            return KvReply.FromArray([]);
        }

        if (count < -MaxRandomFields)
        {
            // Redis streams such a reply; one built whole here would not fit in memory.
            return KvReply.FromError($"ERR HRANDFIELD count is too large: at most {MaxRandomFields} fields with repeats per call here");
        }

        var entries = HashEncoding.Entries(hash);
        List<(ReadOnlyMemory<byte> Field, ReadOnlyMemory<byte> Value)> picked;
        if (count < 0)
        {
            picked = [];
            for (long i = 0; i < -count; i++)
            {
                picked.Add(entries[Random.Shared.Next(entries.Count)]);
            }
        }
        else if (count >= entries.Count)
        {
            picked = entries;
        }
        else
        {
            var order = entries.ToArray();
            Random.Shared.Shuffle(order);
            picked = [.. order.Take((int)count)];
        }

        if (!request.WithValues)
        {
            return KvReply.FromArray([.. picked.Select(e => KvReply.FromBulk(e.Field))]);
        }

        // RESP3 gets pairs; the writer flattens them for RESP2 (see KvReplyKind.Pairs).
        return KvReply.FromPairs([.. picked.Select(e => KvReply.FromArray([KvReply.FromBulk(e.Field), KvReply.FromBulk(e.Value)]))]);
    }

    private void StoreHash(in KeyRecord current, List<(ReadOnlyMemory<byte> Field, ReadOnlyMemory<byte> Value)> entries)
    {
        if (entries.Count == 0)
        {
            Remove(expired: false);
            return;
        }

        var value = HashEncoding.Encode(entries);
        Store(current.Exists ? current with { Value = value } : new KeyRecord(value, ValueKind.Hash, KeyRecord.NoDeadline), current);
    }
}

using System.Text;
using Orleans.KeyValue.Grains.Hashing;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>
/// Redis's semantics of one key, over the silo's record store: what the key grain runs inside
/// its turn, and what a script's <c>redis.call</c> runs inside the turn the script holds. The
/// key's record (value, type tag, deadline) is read at every call and never cached, so an idle
/// activation can be collected, or the keyspace flushed or handed over, at any time without a
/// stale copy. Every read checks the deadline first (lazy expiry, exact to the millisecond);
/// the expiry wheel reclaims expired keys that nobody reads.
/// </summary>
/// <remarks>
/// Only the key's turn writes through these methods, but the wheel, FLUSHALL and hand-overs
/// change records outside any turn: a write therefore names the record it read, and if that
/// record changed meanwhile (say, the wheel expired it) the write still happens, with a wheel
/// entry of its own (see <see cref="Store"/>).
/// </remarks>
public sealed partial class KeyOperations
{
    private readonly KeyGrainServices _services;
    private readonly byte[] _key;
    private bool _staging;
    private bool _staged;
    private KeyRecord _stagedRecord;

    /// <param name="key">The key; the store may keep this array, so it must never change.</param>
    /// <param name="services">The silo's store, wheel, clock and counters.</param>
    /// <param name="scripts">Runs scripts inside this key's turn (null where scripts are not served).</param>
    public KeyOperations(byte[] key, KeyGrainServices services, IScriptHost? scripts = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(services);
        _key = key;
        _services = services;
        Scripts = scripts;
    }

    /// <summary>The key.</summary>
    public byte[] Key => _key;

    /// <summary>Runs scripts inside this key's turn.</summary>
    public IScriptHost? Scripts { get; }

    public KeyRecord Read() => Live(_services.NowMs);

    /// <summary>
    /// From now on, writes are kept aside instead of stored: reads of this key see them, the
    /// store does not. A replicated write is stored only once its backup holds it (see
    /// <see cref="TakeStaged"/> and <see cref="Commit"/>), so no reader ever sees a value that a
    /// failover could take away.
    /// </summary>
    public void BeginStaging()
    {
        _staging = true;
        _staged = false;
    }

    /// <summary>
    /// Ends staging: true with the record the turn's writes left (<see cref="ValueKind.None"/>
    /// for a deleted key) when the turn wrote, false when it only read.
    /// </summary>
    public bool TakeStaged(out KeyRecord record)
    {
        _staging = false;
        record = _stagedRecord;
        var staged = _staged;
        _staged = false;
        _stagedRecord = default;
        return staged;
    }

    /// <summary>Stores a record taken with <see cref="TakeStaged"/> once its backup holds it.</summary>
    public void Commit(in KeyRecord record)
    {
        var current = Live(_services.NowMs);
        if (record.Exists)
        {
            Store(record, current);
        }
        else if (current.Exists)
        {
            Remove(expired: false);
        }
    }

    public KvReply Get()
    {
        var record = Read();
        _services.Statistics.Read(record.Exists);
        if (!record.Exists)
        {
            return KvReply.Nil;
        }

        return record.Kind == ValueKind.String ? KvReply.FromBulk(record.Value) : ErrorReplies.WrongTypeReply;
    }

    public KvReply Set(in SetRequest request)
    {
        var now = _services.NowMs;
        var current = Live(now);
        var old = KvReply.Nil;
        if (request.ReturnOld && current.Exists)
        {
            if (current.Kind != ValueKind.String)
            {
                return ErrorReplies.WrongTypeReply;
            }

            old = KvReply.FromBulk(current.Value);
        }

        // Redis 8.4's setGenericCommand: NX refuses an existing key; XX, IFEQ and IFDEQ a missing
        // one (IFNE and IFDNE create it). With GET the reply is the old value either way.
        var refused = current.Exists
            ? request.Condition == SetCondition.IfNotExists
            : request.Condition == SetCondition.IfExists || request.Compare is ValueCondition.IfEqual or ValueCondition.IfDigestEqual;
        if (refused)
        {
            return request.ReturnOld ? old : KvReply.Nil;
        }

        if (current.Exists && request.Compare != ValueCondition.None)
        {
            if (current.Kind != ValueKind.String)
            {
                return ErrorReplies.WrongTypeReply;
            }

            // A malformed digest is an error only here (key found, a string), as in Redis. With GET,
            // Redis has already sent the old value and sends this error after it: two replies to one
            // command. We answer the error alone.
            if (!TryMatch(current.Value, request.Compare, request.Match, out var holds))
            {
                return ErrorReplies.DigestLengthReply;
            }

            if (!holds)
            {
                return request.ReturnOld ? old : KvReply.Nil;
            }
        }

        var deadline = request.Expiry switch
        {
            ExpiryMode.Keep => current.Exists ? current.DeadlineMs : KeyRecord.NoDeadline,
            ExpiryMode.At => request.DeadlineMs,
            _ => KeyRecord.NoDeadline,
        };

        var record = new KeyRecord(request.Value, ValueKind.String, deadline);
        if (record.IsExpiredAt(now))
        {
            // EXAT/PXAT in the past: the write happens and the key is gone at once.
            if (current.Exists)
            {
                Remove(expired: true);
            }
        }
        else
        {
            Store(record, current);
        }

        return request.ReturnOld ? old : KvReply.Ok;
    }

    public KvReply GetDelete()
    {
        var record = Read();
        if (!record.Exists)
        {
            return KvReply.Nil;
        }

        if (record.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        Remove(expired: false);
        return KvReply.FromBulk(record.Value);
    }

    public KvReply GetAndExpire(in GetExRequest request)
    {
        var now = _services.NowMs;
        var record = Live(now);
        if (!record.Exists)
        {
            return KvReply.Nil;
        }

        if (record.Kind != ValueKind.String)
        {
            return ErrorReplies.WrongTypeReply;
        }

        if (request.Error is not null)
        {
            return KvReply.FromError(request.Error);
        }

        switch (request.Expiry)
        {
            case ExpiryMode.At when request.DeadlineMs <= now:
                Remove(expired: false);
                break;
            case ExpiryMode.At:
                Store(record with { DeadlineMs = request.DeadlineMs }, record);
                break;
            case ExpiryMode.Persist when record.HasDeadline:
                Store(record with { DeadlineMs = KeyRecord.NoDeadline }, record);
                break;
        }

        return KvReply.FromBulk(record.Value);
    }

    public long Delete()
    {
        if (!Read().Exists)
        {
            return 0;
        }

        Remove(expired: false);
        return 1;
    }

    /// <summary>
    /// DELEX as Redis 8.4 runs it: a missing key is 0 whatever the condition; no condition deletes
    /// a key of any type; a condition needs a string (Redis's own error, not WRONGTYPE), then a
    /// known condition, then a 16-character digest; compare and delete in this one turn.
    /// </summary>
    public KvReply DeleteIf(in DeleteIfRequest request)
    {
        var record = Read();
        if (!record.Exists)
        {
            return KvReply.Zero;
        }

        if (request.Condition == ValueCondition.None && request.Error is null)
        {
            Remove(expired: false);
            return KvReply.One;
        }

        if (record.Kind != ValueKind.String)
        {
            return ErrorReplies.KeyNotStringForConditionReply;
        }

        if (request.Error is not null)
        {
            return KvReply.FromError(request.Error);
        }

        if (!TryMatch(record.Value, request.Condition, request.Match, out var holds))
        {
            return ErrorReplies.DigestLengthReply;
        }

        if (!holds)
        {
            return KvReply.Zero;
        }

        Remove(expired: false);
        return KvReply.One;
    }

    public KvReply Digest()
    {
        var record = Read();
        _services.Statistics.Read(record.Exists);
        if (!record.Exists)
        {
            return KvReply.Nil;
        }

        return record.Kind == ValueKind.String ? KvReply.FromBulk(ValueDigest.HexDigest(record.Value)) : ErrorReplies.WrongTypeReply;
    }

    public long Exists() => Read().Exists ? 1 : 0;

    public long ExpireAt(long deadlineMs, ExpireCondition condition)
    {
        var now = _services.NowMs;
        var record = Live(now);
        if (!record.Exists)
        {
            return 0;
        }

        var refused = condition switch
        {
            ExpireCondition.IfNoDeadline => record.HasDeadline,
            ExpireCondition.IfHasDeadline => !record.HasDeadline,
            // No deadline counts as infinite: nothing is greater, everything is less.
            ExpireCondition.IfGreater => !record.HasDeadline || deadlineMs <= record.DeadlineMs,
            ExpireCondition.IfLess => record.HasDeadline && deadlineMs >= record.DeadlineMs,
            ExpireCondition.IfHasDeadlineAndLess => !record.HasDeadline || deadlineMs >= record.DeadlineMs,
            _ => false,
        };
        if (refused)
        {
            return 0;
        }

        // Redis's checkAlreadyExpired: a deadline at or before now deletes the key.
        if (deadlineMs <= now)
        {
            Remove(expired: false);
        }
        else
        {
            Store(record with { DeadlineMs = deadlineMs }, record);
        }

        return 1;
    }

    public long Persist()
    {
        var record = Read();
        if (!record.Exists || !record.HasDeadline)
        {
            return 0;
        }

        Store(record with { DeadlineMs = KeyRecord.NoDeadline }, record);
        return 1;
    }

    public long TimeToLive(bool milliseconds, bool absolute)
    {
        var now = _services.NowMs;
        var record = Live(now);
        if (!record.Exists)
        {
            return -2;
        }

        if (!record.HasDeadline)
        {
            return -1;
        }

        var ttl = Math.Max(0, absolute ? record.DeadlineMs : record.DeadlineMs - now);
        return milliseconds ? ttl : (ttl + 500) / 1000;
    }

    /// <summary>EVAL/EVALSHA inside this key's turn.</summary>
    public KvReply Eval(in ScriptRequest request) =>
        Scripts is { } scripts ? scripts.Run(this, request) : KvReply.FromError(ErrorReplies.ScriptsNotServed);

    public string TypeName() => ValueKinds.Name(Read().Kind);

    /// <summary>
    /// Whether <paramref name="condition"/> holds for a string <paramref name="value"/>. Values compare
    /// as bytes. A digest must be 16 characters (else false: the caller answers the error) and
    /// compares without regard to ASCII case and without a hex check, as Redis's strcasecmp does:
    /// 16 characters that are not hex simply never match.
    /// </summary>
    private static bool TryMatch(byte[] value, ValueCondition condition, ReadOnlySpan<byte> match, out bool holds)
    {
        switch (condition)
        {
            case ValueCondition.IfEqual:
                holds = value.AsSpan().SequenceEqual(match);
                return true;
            case ValueCondition.IfNotEqual:
                holds = !value.AsSpan().SequenceEqual(match);
                return true;
            case ValueCondition.IfDigestEqual or ValueCondition.IfDigestNotEqual:
                holds = false;
                if (match.Length != ValueDigest.HexLength)
                {
                    return false;
                }

                Span<byte> digest = stackalloc byte[ValueDigest.HexLength];
                ValueDigest.WriteHex(ValueDigest.Hash64(value), digest);
                holds = Ascii.EqualsIgnoreCase(digest, match) == (condition == ValueCondition.IfDigestEqual);
                return true;
            default:
                holds = true;
                return true;
        }
    }

    private KeyRecord Live(long now)
    {
        if (_staged)
        {
            return _stagedRecord.Exists && !_stagedRecord.IsExpiredAt(now) ? _stagedRecord : default;
        }

        if (!_services.Storage.TryRead(_key, out var record))
        {
            return default;
        }

        if (record.IsExpiredAt(now))
        {
            if (_services.Storage.TryRemove(_key, record))
            {
                _services.Statistics.Expired();
            }

            return default;
        }

        _services.Memory.Touch(_key, now, created: false);
        return record;
    }

    /// <summary>
    /// Writes <paramref name="record"/> over <paramref name="previous"/> (the live record this turn
    /// read, or none). Every stored deadline has a tracked wheel entry at or before it (its tag is
    /// in the record): when it fires it re-reads and schedules the deadline it finds. So a deadline
    /// at or after the previous one keeps the tracked entry (a key SET again and again with EX adds
    /// none); an earlier one, or a first one, gets a new tracked entry. If the record changed
    /// since this turn read it (the wheel expired it, a flush or hand-over took it), the write
    /// goes over whatever is there and schedules an entry of its own: the old entry may be gone.
    /// </summary>
    private void Store(KeyRecord record, in KeyRecord previous)
    {
        if (_staging)
        {
            _staged = true;
            _stagedRecord = record with { WheelTag = 0 };
            return;
        }

        var keep = previous.Exists && previous.HasDeadline && record.HasDeadline && previous.DeadlineMs <= record.DeadlineMs;
        var own = record.HasDeadline ? (int)record.DeadlineMs : 0;
        var tagged = record with { WheelTag = keep ? previous.WheelTag : own };
        if (!_services.Storage.TryReplace(_key, previous.Exists, previous, tagged))
        {
            keep = false;
            tagged = record with { WheelTag = own };
            _services.Storage.Write(_key, tagged);
        }

        if (tagged.HasDeadline && !keep)
        {
            _services.Wheel.Schedule(_key, tagged.DeadlineMs);
        }

        if (!previous.Exists && _services.Memory.Access is not null)
        {
            _services.Memory.Touch(_key, _services.NowMs, created: true);
        }
    }

    private void Remove(bool expired)
    {
        if (_staging)
        {
            _staged = true;
            _stagedRecord = default;
            return;
        }

        if (_services.Storage.Clear(_key) && expired)
        {
            _services.Statistics.Expired();
        }
    }
}

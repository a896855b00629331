using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>
/// A second copy of every key, on the silo that takes the key's slot over when its owner dies.
/// </summary>
/// <remarks>
/// <para>
/// The backup of a slot is its owner in the view without the slot's owner: when the owner dies,
/// Orleans's next view is exactly that view, so the slot goes to the silo already holding the
/// copy. A write is sent to the backup before the owner stores it (the key's turn is held
/// meanwhile), so what any reader sees on the owner is on the backup too.
/// </para>
/// <para>
/// Fencing: a backup applies a write only when its own view (caught up to the sender's
/// membership version, the epoch) gives the sender the slot and itself the copy. A silo declared
/// dead, cut off or paused, can therefore not get a write acknowledged: its backup either cannot
/// be reached or refuses. Reads are fenced by a lease: an owner serves reads of a slot only while
/// its backup confirmed it as the owner within <see cref="ReplicationOptions.ReadLease"/>, and a
/// backup takes a dead owner's slots over only when its last confirmation is that old.
/// </para>
/// <para>
/// After a view change the new backups get whole slots in the background (a fill holds the
/// slot's commands back while its keys are copied); writes are replicated from the first moment.
/// </para>
/// </remarks>
public sealed partial class ReplicationService : IDisposable
{
    // How often a write the backup refused is sent again (50, 100, 150, 200 ms apart).
    private const int RefusedAttempts = 5;

    // How often a new owner asks a dead owner's backup for slots it did not give (its view was behind).
    private const int FetchAttempts = 5;

    // How often FLUSHALL asks for a slot that commands keep busy before it fails.
    private const int FlushAttempts = 50;

    private readonly ClusterViewService _membership;
    private readonly SlotTable _slots;
    private readonly IRecordStore<KeyRecord> _storage;
    private readonly TimingWheel _wheel;
    private readonly SiloMessenger _transport;
    private readonly ReplicationOptions _options;
    private readonly int _virtualNodes;
    private readonly TimeProvider _time;

    // Leases are about real processes pausing, so they run on elapsed real time even where the
    // store's clock (key deadlines) is a test's fake one.
    private readonly TimeProvider _elapsed = TimeProvider.System;
    private readonly ILogger _logger;
    private readonly BackupStore _copies = new();
    private readonly Lock _fence = new();
    private readonly SiloAddress?[] _synced = new SiloAddress?[KeySlot.Count];
    private readonly ConcurrentDictionary<SiloAddress, long> _leaseUntil = new();
    private readonly ConcurrentDictionary<SiloAddress, long> _granted = new();
    private readonly ConcurrentDictionary<SiloAddress, BackupLink> _links = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private BackupMap _backups = new(ClusterView.Empty, new SiloAddress?[KeySlot.Count]);

    // Owner side: the generation every write and fill carries. It grows whenever a message may
    // have reached a backup without this silo knowing (a timeout), so that such a message,
    // arriving late, is refused by a backup that has since seen a newer one for the slot.
    private long _generation = 1;

    // Backup side (under the fence): per slot, the owner and the newest generation applied.
    private readonly (SiloAddress? Owner, long Generation)[] _applied = new (SiloAddress?, long)[KeySlot.Count];
    private Task? _loop;
    private long _replicated;
    private long _backedUp;
    private long _refused;
    private long _keysFilled;
    private long _slotsFilled;
    private long _keysPromoted;

    public ReplicationService(
        ClusterViewService membership,
        SlotTable slots,
        IRecordStore<KeyRecord> storage,
        TimingWheel wheel,
        SiloMessenger transport,
        IOptions<ReplicationOptions> options,
        IOptions<MembershipOptions> membershipOptions,
        TimeProvider time,
        ILogger<ReplicationService> logger)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(membershipOptions);
        _membership = membership;
        _slots = slots;
        _storage = storage;
        _wheel = wheel;
        _transport = transport;
        _options = options.Value;
        _virtualNodes = membershipOptions.Value.VirtualNodes;
        _time = time;
        _logger = logger;
        transport.Handle(SiloMessageType.Replicate, OnReplicateAsync);
        transport.Handle(SiloMessageType.BackupFill, OnFillAsync);
        transport.Handle(SiloMessageType.Lease, OnLeaseAsync);
        transport.Handle(SiloMessageType.BackupFetch, OnFetchAsync);
        membership.OnDeclaredDead(() =>
        {
            lock (_fence)
            {
                _copies.Clear();
                Array.Clear(_applied);
            }
        });
    }

    /// <summary>True when writes are copied to a backup (<c>--replicas 1</c>).</summary>
    public bool Enabled => _options.Replicas > 0;

    /// <summary>Keys held here as copies of other silos' slots.</summary>
    public int BackupKeys => _copies.Count;

    /// <summary>About the bytes the copies this silo keeps for others hold.</summary>
    public long BackupBytes => _copies.Bytes;

    /// <summary>Slots whose copy here is complete.</summary>
    public int CompleteCopies => _copies.CompleteSlots;

    /// <summary>Writes of this silo's slots that a backup confirmed.</summary>
    public long WritesReplicated => Interlocked.Read(ref _replicated);

    /// <summary>Writes of other silos' slots applied to the copies here.</summary>
    public long WritesBackedUp => Interlocked.Read(ref _backedUp);

    /// <summary>Writes and fills refused here or by a backup (an old epoch, or not the backup).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Keys copied to backups by fills.</summary>
    public long KeysFilled => Interlocked.Read(ref _keysFilled);

    /// <summary>Slots copied to backups by fills.</summary>
    public long SlotsFilled => Interlocked.Read(ref _slotsFilled);

    /// <summary>Keys served here from copies after their owner died.</summary>
    public long KeysPromoted => Interlocked.Read(ref _keysPromoted);

    /// <summary>Slots served here whose backup does not hold a complete copy yet.</summary>
    public int SlotsAwaitingFill
    {
        get
        {
            if (!Enabled)
            {
                return 0;
            }

            var backups = BackupsOf(_membership.View);
            var count = 0;
            for (var slot = 0; slot < KeySlot.Count; slot++)
            {
                if (_slots.IsServed(slot) && backups[slot] is { } backup && !backup.Equals(Me) && !backup.Equals(Volatile.Read(ref _synced[slot])))
                {
                    count++;
                }
            }

            return count;
        }
    }

    private SiloAddress Me => _membership.Me;

    /// <summary>
    /// The backup of <paramref name="slot"/> in this silo's view, or null when writes of the slot
    /// need none (<c>--replicas 0</c>, or no other silo is active).
    /// </summary>
    public SiloAddress? BackupOf(int slot) => Enabled ? BackupsOf(_membership.View)[slot] : null;

    /// <summary>
    /// The backup of every slot of <paramref name="view"/>: each slot's owner in the view without
    /// the slot's owner (null when the owner is the only active silo).
    /// </summary>
    public static SiloAddress?[] ComputeBackups(ClusterView view, int virtualNodes)
    {
        ArgumentNullException.ThrowIfNull(view);
        var backups = new SiloAddress?[KeySlot.Count];
        foreach (var silo in view.ActiveSilos)
        {
            var without = ClusterView.Build(
                view.Version,
                view.Members.Select(m => m.Silo.Equals(silo) ? m with { Status = SiloStatus.ShuttingDown } : m),
                virtualNodes);
            for (var slot = 0; slot < KeySlot.Count; slot++)
            {
                if (silo.Equals(view.OwnerOf(slot)))
                {
                    backups[slot] = without.OwnerOf(slot);
                }
            }
        }

        return backups;
    }

    /// <summary>Starts the background work: fills of new backups, lease renewals, expired copies.</summary>
    public void Start() => _loop ??= MaintainAsync(_stopping.Token);

    /// <summary>Stops the background work.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Sends one write of <paramref name="slot"/> (the key's new record, or its removal as
    /// <see cref="ValueKind.None"/>) to the slot's backup and waits for it. Call it inside the
    /// slot's gate and the key's turn, and store the write only on <see cref="ReplicaOutcome.Stored"/>.
    /// </summary>
    public async ValueTask<ReplicaOutcome> ReplicateAsync(int slot, byte[] key, KeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(key);
        record = record with { Value = record.Value ?? [] };
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await ReplicateOnceAsync(slot, key, record);

            // A refusal applied nothing anywhere: right after a membership change the two
            // silos' views may disagree for a moment, so try again (with the backup of the view
            // then current) before the client hears TRYAGAIN. A silo that lost the slot keeps
            // being refused.
            if (outcome != ReplicaOutcome.Refused || attempt >= RefusedAttempts)
            {
                return outcome;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), _elapsed);
        }
    }

    /// <summary>
    /// Sends every write of one turn over a held slot (a script, a transaction, MSET) to the
    /// slot's backup in one message, which the backup applies whole or not at all (one decision
    /// for the slot, under its fence). Stored only when it took all of them.
    /// </summary>
    public async ValueTask<ReplicaOutcome> ReplicateAllAsync(int slot, IReadOnlyList<(byte[] Key, KeyRecord Record)> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        for (var attempt = 1; ; attempt++)
        {
            var backup = Enabled ? BackupsOf(_membership.View)[slot] : null;
            if (backup is null)
            {
                return ReplicaOutcome.Stored;
            }

            if (backup.Equals(Me))
            {
                return ReplicaOutcome.Refused;
            }

            // Not through the backup's link, whose batches could split the turn; the slot is held,
            // so no other write of it is on its way meanwhile.
            var batch = writes.Select(w => new ReplicaWrite(slot, w.Key, w.Record with { Value = w.Record.Value ?? [] })).ToList();
            await SendWritesAsync(backup, batch);
            var outcomes = batch.Select(w => w.Outcome.Result).ToList();
            if (outcomes.All(o => o == ReplicaOutcome.Stored))
            {
                return ReplicaOutcome.Stored;
            }

            var outcome = outcomes.Contains(ReplicaOutcome.Unknown) ? ReplicaOutcome.Unknown
                : outcomes.Contains(ReplicaOutcome.Unreachable) ? ReplicaOutcome.Unreachable
                : outcomes.Contains(ReplicaOutcome.Stored) ? ReplicaOutcome.Unknown
                : ReplicaOutcome.Refused;
            if (outcome != ReplicaOutcome.Refused || attempt >= RefusedAttempts)
            {
                return outcome;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), _elapsed);
        }
    }

    private ValueTask<ReplicaOutcome> ReplicateOnceAsync(int slot, byte[] key, KeyRecord record)
    {
        var backup = Enabled ? BackupsOf(_membership.View)[slot] : null;
        if (backup is null)
        {
            return new(ReplicaOutcome.Stored);
        }

        if (backup.Equals(Me))
        {
            // Served here although the view gives the slot to another silo (kept after a refused
            // hand-over): no copy can be made, so no write is acknowledged.
            return new(ReplicaOutcome.Refused);
        }

        var link = _links.GetOrAdd(backup, static (target, self) => new BackupLink(target, self.SendWritesAsync, self._options.MaxMessagesInFlight, self._options.MaxBatchWrites), this);
        return new(link.EnqueueAsync(new ReplicaWrite(slot, key, record)));
    }

    /// <summary>Sends one batch of writes to <paramref name="backup"/> and completes each with what the backup said.</summary>
    private async Task SendWritesAsync(SiloAddress backup, List<ReplicaWrite> writes)
    {
        var view = _membership.View;
        WireWriter writer;
        try
        {
            writer = new WireWriter(64 + (int)Math.Min(writes.Sum(w => 32L + w.Key.Length + w.Record.Value.Length), 1L << 20));
            writer.WriteInt64(view.Version);
            writer.WriteString(Me.ToParsableString());
            writer.WriteInt64(Interlocked.Read(ref _generation));
            writer.WriteInt32(writes.Count);
            foreach (var write in writes)
            {
                writer.WriteInt32(write.Slot);
                KeyRecordCodec.Write(writer, write.Key, write.Record);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Nothing was sent (a batch too big to encode): nothing applied anywhere.
            foreach (var write in writes)
            {
                write.Complete(ReplicaOutcome.Unreachable);
            }

            return;
        }

        var sentAt = _elapsed.GetTimestamp();
        try
        {
            var reply = await _transport.SendAsync(backup, SiloMessageType.Replicate, writer.Written, _options.BackupTimeout);
            var refused = 0;
            for (var i = 0; i < writes.Count; i++)
            {
                var stored = i < reply.Length && reply[i] == 1;
                refused += stored ? 0 : 1;
                writes[i].Complete(stored ? ReplicaOutcome.Stored : ReplicaOutcome.Refused);
            }

            if (refused < writes.Count)
            {
                ExtendLease(backup, sentAt);
                Interlocked.Add(ref _replicated, writes.Count - refused);
            }

            if (refused > 0)
            {
                Interlocked.Add(ref _refused, refused);
                LogWriteRefused(backup.ToString(), refused, view.Version);
                _membership.RequestRefresh();
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Unreachable, a bad reply, or an exception the backup's handler threw back: every
            // write of the batch completes (a write left pending would hold its key's turn, and
            // its slot, forever).
            _membership.RequestRefresh();
            var arrived = exception is not SiloUnreachableException { MayHaveArrived: false };
            if (arrived)
            {
                // Before any later write is sent: if this message is only delayed, the backup
                // refuses it once a later one (newer generation) has been applied.
                Interlocked.Increment(ref _generation);
            }

            foreach (var write in writes)
            {
                if (arrived)
                {
                    // The backup may hold the write that this silo will not store: copy the slot
                    // to it again before trusting it.
                    Volatile.Write(ref _synced[write.Slot], null);
                }

                write.Complete(arrived ? ReplicaOutcome.Unknown : ReplicaOutcome.Unreachable);
            }

            Wake();
        }
    }

    /// <summary>How long a fill, or a script over several keys, waits for the commands inside a slot.</summary>
    public TimeSpan FillDrainTimeout => _options.FillDrainTimeout;

    /// <summary>
    /// The backup of <paramref name="slot"/> may hold writes this silo did not store (some writes
    /// of one script were confirmed, others not): copy the slot to it again before trusting it.
    /// </summary>
    public void Resync(int slot)
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _synced[slot], null);
        Wake();
    }

    /// <summary>True when this silo may answer a read of <paramref name="slot"/> now: it needs no backup, or holds a lease from it.</summary>
    public bool HasReadLease(int slot)
    {
        if (!Enabled || BackupsOf(_membership.View)[slot] is not { } backup)
        {
            return true;
        }

        return _leaseUntil.TryGetValue(backup, out var until) && _elapsed.GetTimestamp() < until;
    }

    /// <summary>Asks <paramref name="slot"/>'s backup for a read lease; false when it refuses or cannot be reached.</summary>
    public async ValueTask<bool> RenewReadLeaseAsync(int slot)
    {
        var view = _membership.View;
        if (!Enabled || BackupsOf(view)[slot] is not { } backup)
        {
            return true;
        }

        return !backup.Equals(Me) && await RenewLeaseAsync(backup, view.Version, _stopping.Token);
    }

    /// <summary>
    /// FLUSHALL on this silo: every slot served here is emptied on this silo and on its backup,
    /// with the slot's commands held back meanwhile. False when a backup did not confirm.
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            _storage.ClearAll();
            return true;
        }

        var view = _membership.View;
        var backups = BackupsOf(view);
        var held = new List<(int Slot, long Token)>();
        try
        {
            // A slot busy past the drain limit (or being filled) is asked again; one that stays
            // busy fails the flush before anything is cleared.
            var pending = Enumerable.Range(0, KeySlot.Count).ToList();
            for (var attempt = 1; ; attempt++)
            {
                await HoldAsync(pending, held, cancellationToken);
                var taken = held.Select(h => h.Slot).ToHashSet();
                pending = [.. pending.Where(s => !taken.Contains(s) && _slots.IsServed(s))];
                if (pending.Count == 0)
                {
                    break;
                }

                if (attempt >= FlushAttempts)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(10), _elapsed, cancellationToken);
            }

            _storage.ClearAll();
            var confirmed = true;
            foreach (var group in held.Select(h => h.Slot).Where(s => backups[s] is { } b && !b.Equals(Me)).GroupBy(s => backups[s]!))
            {
                foreach (var batch in group.Chunk(_options.FillBatchSlots))
                {
                    confirmed &= await SendFillAsync(group.Key, batch, view.Version, empty: true, cancellationToken);
                }
            }

            return confirmed;
        }
        finally
        {
            foreach (var (slot, token) in held)
            {
                _slots.EndFill(slot, token);
            }
        }
    }

    /// <summary>
    /// Serves slots this silo gained from a silo that died, from the copies: its own when it was
    /// the backup, else the copy fetched from the silo that was. Waits until the dead owner's
    /// read lease has run out. Slots with no copy anywhere start empty (logged as lost).
    /// </summary>
    public async Task PromoteAsync(ClusterView old, ClusterView view, List<(int Slot, SiloAddress? From)> gained, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(gained);
        if (gained.Count == 0)
        {
            return;
        }

        var oldBackups = ComputeBackups(old, _virtualNodes);
        foreach (var fromGroup in gained.GroupBy(g => g.From))
        {
            if (fromGroup.Key is { } dead)
            {
                await WaitForLeaseToEndAsync(dead, cancellationToken);
            }

            var remote = new Dictionary<SiloAddress, List<int>>();
            int promoted = 0, incomplete = 0, lost = 0;
            foreach (var (slot, _) in fromGroup)
            {
                var holder = oldBackups[slot];
                if (Me.Equals(holder) || _copies.Holds(slot))
                {
                    (List<KeyValuePair<byte[], KeyRecord>> Records, bool Complete) copy;
                    lock (_fence)
                    {
                        copy = _copies.Take(slot);
                        _applied[slot] = default;
                    }

                    promoted += Install(copy.Records);
                    incomplete += copy.Complete ? 0 : 1;
                }
                else if (holder is not null && view.StatusOf(holder) == SiloStatus.Active && fromGroup.Key is not null)
                {
                    if (!remote.TryGetValue(holder, out var list))
                    {
                        remote[holder] = list = [];
                    }

                    list.Add(slot);
                }
                else if (fromGroup.Key is not null && Enabled)
                {
                    lost++;
                }
            }

            // remote is filled only for a group whose dead owner is known (the ! below).
            foreach (var (holder, slots) in remote)
            {
                // A holder whose view is behind the requester's gives nothing for a slot (it does
                // not see the requester as its owner yet): ask again, briefly, before the slot
                // counts as having no copy.
                var pending = slots;
                for (var attempt = 1; pending.Count > 0; attempt++)
                {
                    var (keys, missing, given) = await FetchAsync(holder, fromGroup.Key!, pending, view.Version, cancellationToken);
                    promoted += keys;
                    incomplete += missing;
                    pending = [.. pending.Where(s => !given.Contains(s))];
                    if (pending.Count == 0 || attempt >= FetchAttempts)
                    {
                        incomplete += pending.Count;
                        break;
                    }

                    _membership.RequestRefresh();
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), _elapsed, cancellationToken);
                }
            }

            if (fromGroup.Key is { } from && (promoted > 0 || incomplete > 0 || lost > 0))
            {
                LogPromoted(fromGroup.Count(), from.ToString(), promoted, incomplete, lost);
            }

            if (incomplete + lost > 0 && Enabled)
            {
                LogCopiesMissing(incomplete + lost, fromGroup.Key?.ToString() ?? "none");
            }
        }
    }

    /// <summary>
    /// After every view change (the hand-over has run): copies this silo no longer backs up are
    /// dropped, slots it no longer serves forget their backup, and fills start.
    /// </summary>
    public void OnViewApplied(ClusterView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var backups = BackupsOf(view);
        lock (_fence)
        {
            for (var slot = 0; slot < KeySlot.Count; slot++)
            {
                // A slot waiting for its keys from a silo that leaves keeps its copy: if that
                // silo dies before it hands them over, the copy is what remains.
                if (!Me.Equals(backups[slot]) && !_slots.IsWaiting(slot) && _copies.Holds(slot))
                {
                    _copies.Drop(slot);
                    _applied[slot] = default;
                }
            }
        }

        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            if (!_slots.IsServed(slot))
            {
                Volatile.Write(ref _synced[slot], null);
            }
        }

        Wake();
    }

    /// <summary>The keys of <paramref name="slot"/> arrived by hand-over: they replace any copy held here.</summary>
    public void DropCopy(int slot)
    {
        lock (_fence)
        {
            _copies.Drop(slot);
            _applied[slot] = default;
        }
    }

    private SiloAddress?[] BackupsOf(ClusterView view)
    {
        var map = Volatile.Read(ref _backups);
        if (ReferenceEquals(map.View, view))
        {
            return map.BySlot;
        }

        var computed = new BackupMap(view, ComputeBackups(view, _virtualNodes));
        Volatile.Write(ref _backups, computed);
        return computed.BySlot;
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private void ExtendLease(SiloAddress backup, long sentAt)
    {
        var until = sentAt + (long)(_options.ReadLease.TotalSeconds * _elapsed.TimestampFrequency);
        _leaseUntil.AddOrUpdate(backup, until, (_, old) => Math.Max(old, until));
    }

    private async Task<bool> RenewLeaseAsync(SiloAddress backup, long version, CancellationToken cancellationToken)
    {
        var writer = new WireWriter(64);
        writer.WriteInt64(version);
        writer.WriteString(Me.ToParsableString());
        var sentAt = _elapsed.GetTimestamp();
        try
        {
            var reply = await _transport.SendAsync(backup, SiloMessageType.Lease, writer.Written, _options.BackupTimeout, cancellationToken);
            if (reply.Length > 0 && reply[0] == 1)
            {
                ExtendLease(backup, sentAt);
                return true;
            }

            _membership.RequestRefresh();
            return false;
        }
        catch (SiloUnreachableException)
        {
            return false;
        }
    }

    private async Task WaitForLeaseToEndAsync(SiloAddress owner, CancellationToken cancellationToken)
    {
        if (!_granted.TryGetValue(owner, out var granted))
        {
            return;
        }

        var left = _options.ReadLease - _elapsed.GetElapsedTime(granted);
        if (left > TimeSpan.Zero)
        {
            LogWaitingForLease(owner.ToString(), left.TotalMilliseconds);
            await Task.Delay(left, _elapsed, cancellationToken);
        }
    }

    private int Install(List<KeyValuePair<byte[], KeyRecord>> records)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var installed = 0;
        foreach (var (key, record) in records)
        {
            if (record.IsExpiredAt(now))
            {
                continue;
            }

            _storage.Write(key, record with { WheelTag = 0 });
            if (record.HasDeadline)
            {
                _wheel.Schedule(key, record.DeadlineMs);
            }

            installed++;
        }

        Interlocked.Add(ref _keysPromoted, installed);
        return installed;
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Min(_options.MaintenanceInterval.Ticks, _options.ReadLease.Ticks / 4));
        var sweep = _elapsed.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var woken = _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
                await Task.WhenAny(woken, Task.Delay(period, _elapsed, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                _wake.Reader.TryRead(out _);
                if (!Enabled || !_membership.IsServing)
                {
                    continue;
                }

                await RenewLeasesAsync(cancellationToken);
                await FillAsync(cancellationToken);
                if (_elapsed.GetElapsedTime(sweep) > _options.MaintenanceInterval * 10)
                {
                    sweep = _elapsed.GetTimestamp();
                    _copies.RemoveExpired(_time.GetUtcNow().ToUnixTimeMilliseconds());
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogMaintenanceFailed(exception);
            }
        }
    }

    /// <summary>Renews the read lease from every backup of this silo's slots before it runs low.</summary>
    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var view = _membership.View;
        var backups = BackupsOf(view);
        var distinct = new HashSet<SiloAddress>();
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            if (backups[slot] is { } backup && Me.Equals(view.OwnerOf(slot)))
            {
                distinct.Add(backup);
            }
        }

        var threshold = _elapsed.GetTimestamp() + (long)(_options.ReadLease.TotalSeconds / 2 * _elapsed.TimestampFrequency);
        await Task.WhenAll(distinct
            .Where(b => !_leaseUntil.TryGetValue(b, out var until) || until < threshold)
            .Select(b => RenewLeaseAsync(b, view.Version, cancellationToken)));
    }

    /// <summary>Copies every served slot whose backup does not hold it yet, in batches.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var view = _membership.View;
        var backups = BackupsOf(view);
        var todo = new Dictionary<SiloAddress, List<int>>();
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            if (_slots.IsServed(slot) && backups[slot] is { } backup && !backup.Equals(Me) && !backup.Equals(Volatile.Read(ref _synced[slot])))
            {
                if (!todo.TryGetValue(backup, out var list))
                {
                    todo[backup] = list = [];
                }

                list.Add(slot);
            }
        }

        foreach (var (backup, slots) in todo)
        {
            foreach (var batch in slots.Chunk(_options.FillBatchSlots))
            {
                var held = new List<(int Slot, long Token)>(batch.Length);
                try
                {
                    await HoldAsync(batch, held, cancellationToken);
                    await SendFillAsync(backup, [.. held.Select(h => h.Slot)], view.Version, empty: false, cancellationToken);
                }
                finally
                {
                    foreach (var (slot, token) in held)
                    {
                        _slots.EndFill(slot, token);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Holds <paramref name="slots"/> for a fill, all at once (each waits for its own commands,
    /// so a busy slot costs the others no more than the drain limit), adding those held to
    /// <paramref name="held"/>, which the caller releases whatever happens.
    /// </summary>
    private async Task HoldAsync(IEnumerable<int> slots, List<(int Slot, long Token)> held, CancellationToken cancellationToken)
    {
        var attempts = slots.Select(async slot => (Slot: slot, Token: await _slots.BeginFillAsync(slot, _options.FillDrainTimeout, cancellationToken))).ToList();
        try
        {
            await Task.WhenAll(attempts);
        }
        finally
        {
            held.AddRange(attempts.Where(a => a.IsCompletedSuccessfully && a.Result.Token != 0).Select(a => a.Result));
        }
    }

    /// <summary>Sends the whole content of <paramref name="slots"/> (held by the caller) to <paramref name="backup"/>; true when it took them all.</summary>
    private async Task<bool> SendFillAsync(SiloAddress backup, int[] slots, long version, bool empty, CancellationToken cancellationToken)
    {
        if (slots.Length == 0)
        {
            return true;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var writer = new WireWriter(256);
        writer.WriteInt64(version);
        writer.WriteString(Me.ToParsableString());
        writer.WriteInt64(Interlocked.Read(ref _generation));
        writer.WriteInt32(slots.Length);
        var keys = 0;
        foreach (var slot in slots)
        {
            var records = empty ? [] : _storage.CopySlot(slot);
            records.RemoveAll(pair => pair.Value.IsExpiredAt(now));
            writer.WriteInt32(slot);
            writer.WriteInt32(records.Count);
            foreach (var (key, record) in records)
            {
                KeyRecordCodec.Write(writer, key, record);
            }

            keys += records.Count;
        }

        try
        {
            var reply = await _transport.SendAsync(backup, SiloMessageType.BackupFill, writer.Written, _options.BackupTimeout * 5, cancellationToken);
            var reader = new WireReader(reply);
            var refused = new HashSet<int>();
            for (var count = reader.ReadInt32(); count > 0; count--)
            {
                refused.Add(reader.ReadInt32());
            }

            foreach (var slot in slots)
            {
                Volatile.Write(ref _synced[slot], refused.Contains(slot) ? null : backup);
            }

            Interlocked.Add(ref _slotsFilled, slots.Length - refused.Count);
            Interlocked.Add(ref _keysFilled, keys);
            LogFilled(slots.Length - refused.Count, keys, backup.ToString(), refused.Count);
            if (refused.Count > 0)
            {
                Interlocked.Add(ref _refused, refused.Count);
                _membership.RequestRefresh();
            }

            return refused.Count == 0;
        }
        catch (SiloUnreachableException exception)
        {
            if (exception.MayHaveArrived)
            {
                Interlocked.Increment(ref _generation);
            }

            foreach (var slot in slots)
            {
                Volatile.Write(ref _synced[slot], null);
            }

            LogFillFailed(exception, backup.ToString(), slots.Length);
            return false;
        }
    }

    /// <summary>Fetches the copies of <paramref name="slots"/> from <paramref name="holder"/>: keys installed, copies incomplete, and the slots it gave (answered or not, the rest it did not).</summary>
    private async Task<(int Keys, int Missing, HashSet<int> Given)> FetchAsync(SiloAddress holder, SiloAddress dead, List<int> slots, long version, CancellationToken cancellationToken)
    {
        var writer = new WireWriter(64 + (slots.Count * 4));
        writer.WriteInt64(version);
        writer.WriteString(Me.ToParsableString());
        writer.WriteString(dead.ToParsableString());
        writer.WriteInt32(slots.Count);
        foreach (var slot in slots)
        {
            writer.WriteInt32(slot);
        }

        try
        {
            var reply = await _transport.SendAsync(holder, SiloMessageType.BackupFetch, writer.Written, _options.ReadLease + (_options.BackupTimeout * 5), cancellationToken);
            var reader = new WireReader(reply);
            int keys = 0, missing = 0;
            var given = new HashSet<int>();
            for (var count = reader.ReadInt32(); count > 0; count--)
            {
                given.Add(reader.ReadInt32());
                var complete = reader.ReadByte() == 1;
                var records = new List<KeyValuePair<byte[], KeyRecord>>();
                for (var n = reader.ReadInt32(); n > 0; n--)
                {
                    var (key, record) = KeyRecordCodec.Read(reader);
                    records.Add(KeyValuePair.Create(key, record));
                }

                keys += Install(records);
                missing += complete ? 0 : 1;
            }

            return (keys, missing, given);
        }
        catch (SiloUnreachableException exception)
        {
            // Taken there or not, nothing arrived here: these copies are gone.
            LogFillFailed(exception, holder.ToString(), slots.Count);
            return (0, slots.Count, [.. slots]);
        }
    }

    private sealed record BackupMap(ClusterView View, SiloAddress?[] BySlot);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Backup {Silo} refused {Writes} writes (view {Version}): this silo's view is behind")]
    private partial void LogWriteRefused(string silo, int writes, long version);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Debug, Message = "Filled {Slots} slots ({Keys} keys) on backup {Silo}; {Refused} refused")]
    private partial void LogFilled(int slots, int keys, string silo, int refused);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Copying {Slots} slots to {Silo} failed; retrying later")]
    private partial void LogFillFailed(Exception exception, string silo, int slots);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Took over {Slots} slots of dead silo {Silo} from their copies: {Keys} keys, {Incomplete} copies incomplete, {Lost} with no copy")]
    private partial void LogPromoted(int slots, string silo, int keys, int incomplete, int lost);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Error, Message = "{Slots} slots of dead silo {Silo} had no complete copy: keys written before their backup was filled are lost")]
    private partial void LogCopiesMissing(int slots, string silo);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "Waiting {Milliseconds} ms for the read lease of dead silo {Silo} to run out")]
    private partial void LogWaitingForLease(string silo, double milliseconds);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Error, Message = "Replication maintenance failed")]
    private partial void LogMaintenanceFailed(Exception exception);
}

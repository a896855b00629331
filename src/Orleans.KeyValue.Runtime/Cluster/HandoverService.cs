using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Replication;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;
using Orleans.KeyValue.Runtime.Transport;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>
/// Moves key slots between silos when the view changes. A slot this silo loses is closed to
/// new commands, drained of the ones inside, emptied and sent (value, type tag, deadline of
/// every key) to its new owner, which serves it only once the keys arrived; a slot this silo
/// gains from a live silo waits for that silo's hand-over, one gained from a dead silo (or
/// from no one) is served at once, empty. So a key is never served by two silos, and a clean
/// join or leave loses no key and no deadline.
/// </summary>
public sealed partial class HandoverService
{
    private readonly ClusterViewService _membership;
    private readonly SlotTable _slots;
    private readonly IRecordStore<KeyRecord> _storage;
    private readonly TimingWheel _wheel;
    private readonly SiloMessenger _transport;
    private readonly ReplicationService _replication;
    private readonly MembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _keysSent;
    private long _keysReceived;
    private long _slotsSent;
    private long _slotsReceived;
    private const int MaxRedeliveries = 4;
    private volatile bool _closed;
    private int _receiving;

    public HandoverService(
        ClusterViewService membership,
        SlotTable slots,
        IRecordStore<KeyRecord> storage,
        TimingWheel wheel,
        SiloMessenger transport,
        ReplicationService replication,
        IOptions<MembershipOptions> options,
        TimeProvider time,
        ILogger<HandoverService> logger)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        _membership = membership;
        _slots = slots;
        _storage = storage;
        _wheel = wheel;
        _transport = transport;
        _replication = replication;
        _options = options.Value;
        _time = time;
        _logger = logger;
        membership.OnViewChanged(OnViewChangedAsync);
        transport.Handle(SiloMessageType.Handover, HandleAsync);
        membership.OnDeclaredDead(ForgetEverything);
        membership.OnLeaving(CloseAsync);
    }

    /// <summary>Keys sent to other silos since start.</summary>
    public long KeysSent => Interlocked.Read(ref _keysSent);

    /// <summary>Keys received from other silos since start.</summary>
    public long KeysReceived => Interlocked.Read(ref _keysReceived);

    /// <summary>Slots sent since start.</summary>
    public long SlotsSent => Interlocked.Read(ref _slotsSent);

    /// <summary>Slots received since start.</summary>
    public long SlotsReceived => Interlocked.Read(ref _slotsReceived);

    /// <summary>
    /// This silo was declared dead (cut off, then back): its keys are stale, since the others
    /// served its slots meanwhile. It serves nothing and sends nothing; Orleans stops it.
    /// </summary>
    private void ForgetEverything()
    {
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            _slots.Drop(slot);
        }

        _storage.ClearAll();
    }

    private async Task OnViewChangedAsync(ClusterView old, ClusterView view, CancellationToken cancellationToken)
    {
        var me = _membership.Me;
        var outgoing = new Dictionary<SiloAddress, List<int>>();
        var fromDead = new List<(int Slot, SiloAddress? From)>();
        int waiting = 0, lost = 0;
        var active = _closed || view.StatusOf(me) == SiloStatus.Active;
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            var before = old.OwnerOf(slot);
            var after = view.OwnerOf(slot);
            var wasMine = me.Equals(before);
            var isMine = me.Equals(after);
            if (isMine && !wasMine)
            {
                // Keys come from the previous owner if it is alive to send them.
                if (before is null || view.StatusOf(before) is null or SiloStatus.Dead)
                {
                    fromDead.Add((slot, before));
                }
                else if (_slots.Await(slot, before))
                {
                    waiting++;
                }
            }
            else if (!isMine && (wasMine || (active && (_slots.WasReceived(slot) || _slots.IsServed(slot))) || (_closed && _storage.CountInSlot(slot) > 0)))
            {
                // Lost; or keys that arrived for a slot this silo was not serving yet, from a
                // sender whose view was older or newer than this one; or a slot kept here when
                // its hand-over found no taker: on to the owner (a silo still joining keeps
                // early keys, since its view will give it their slot).
                if (after is null)
                {
                    // No silo is left to take it (the last silo leaving): nothing to hand over to.
                    _slots.Drop(slot);
                    lost++;
                }
                else
                {
                    if (!outgoing.TryGetValue(after, out var list))
                    {
                        outgoing[after] = list = [];
                    }

                    list.Add(slot);
                }
            }
        }

        foreach (var (slot, from) in _slots.WaitingSlots())
        {
            if (me.Equals(view.OwnerOf(slot)) && view.StatusOf(from) is null or SiloStatus.Dead)
            {
                // Was waiting for a silo that has since died: its keys come from their copy.
                fromDead.Add((slot, from));
            }
        }

        if (fromDead.Count + waiting + lost + outgoing.Count > 0)
        {
            LogPlan(view.Version, fromDead.Count, waiting, outgoing.Sum(o => o.Value.Count), lost);
        }

        // A dead owner's slots are served from their copies (the backup is this silo, or the
        // silo that was the backup sends its copy), once the dead owner's read lease ran out.
        await _replication.PromoteAsync(old, view, fromDead, cancellationToken);
        foreach (var (slot, _) in fromDead)
        {
            _slots.Serve(slot);
        }

        await Task.WhenAll(outgoing.Select(pair => SendSlotsAsync(pair.Key, pair.Value, view.Version, cancellationToken)));
        _replication.OnViewApplied(view);
    }

    private async Task SendSlotsAsync(SiloAddress target, List<int> slots, long version, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var batch in slots.Chunk(_options.HandoverBatchSlots))
        {
            var parcels = new List<SlotParcel>(batch.Length);
            foreach (var slot in batch)
            {
                var awaitedFrom = await _slots.BeginMoveAsync(slot, cancellationToken);
                var records = _storage.TakeSlot(slot);
                records.RemoveAll(pair => pair.Value.IsExpiredAt(now));
                parcels.Add(new SlotParcel(slot, records, awaitedFrom));
            }

            await DeliverAsync(target, parcels, version, cancellationToken);
        }
    }

    /// <summary>
    /// Sends <paramref name="parcels"/> to <paramref name="target"/>. A slot the target refuses
    /// (its newer view gives the slot to another silo, or it is leaving too) goes where the
    /// target says it belongs, for a bounded number of hops; then, or when that is this silo,
    /// this silo keeps serving it until a later view settles where it goes.
    /// </summary>
    private async Task DeliverAsync(SiloAddress target, List<SlotParcel> parcels, long version, CancellationToken cancellationToken)
    {
        var pending = new List<(SiloAddress Target, List<SlotParcel> Parcels)> { (target, parcels) };
        for (var hop = 0; pending.Count > 0; hop++)
        {
            var next = new List<(SlotParcel Parcel, SiloAddress? Owner)>();
            foreach (var (to, batch) in pending)
            {
                var gone = _membership.AnnouncedLeaving;
                if (gone.Contains(to))
                {
                    // The target announced its leave since this view was made: the slots go to
                    // their owner among the silos that are not leaving.
                    next.AddRange(OwnersWithout(batch, gone));
                    continue;
                }

                var refused = await TrySendAsync(to, Encode(version, batch), cancellationToken);
                LogDelivered(batch.Count, to.ToString(), refused?.Count ?? -1);
                if (refused is null && _closed)
                {
                    // This silo is leaving and cannot keep them: the owner without the silo
                    // that did not answer.
                    LogSendFailed(to.ToString(), batch.Count, batch.Sum(p => p.Records.Count));
                    next.AddRange(OwnersWithout(batch, [.. _membership.AnnouncedLeaving, to]));
                    continue;
                }

                if (refused is null)
                {
                    // The new owner cannot be reached: keep the keys and serve them until a later
                    // view settles where they go (the new owner waits for them, so no one else serves them).
                    LogSendFailed(to.ToString(), batch.Count, batch.Sum(p => p.Records.Count));
                    KeepHere(batch);
                    continue;
                }

                foreach (var parcel in batch)
                {
                    if (refused.TryGetValue(parcel.Slot, out var owner))
                    {
                        if (_closed && (owner is null || owner.Equals(_membership.Me)))
                        {
                            // This silo is leaving, which the refuser did not know yet: the slot
                            // goes to its owner among the silos that are neither.
                            owner = _membership.ViewWithout([_membership.Me, to]).OwnerOf(parcel.Slot);
                        }

                        next.Add((parcel, owner));
                    }
                    else
                    {
                        _slots.Drop(parcel.Slot);
                        Interlocked.Increment(ref _slotsSent);
                        Interlocked.Add(ref _keysSent, parcel.Records.Count);
                    }
                }
            }

            pending = [];
            foreach (var group in next.GroupBy(p => p.Owner))
            {
                var slots = group.Select(p => p.Parcel).ToList();
                if (group.Key is null || group.Key.Equals(_membership.Me) || hop >= MaxRedeliveries)
                {
                    LogKeptAfterRefusal(slots.Count, slots.Sum(p => p.Records.Count));
                    KeepHere(slots);
                    continue;
                }

                LogRedelivering(slots.Count, group.Key.ToString());
                pending.Add((group.Key, slots));
            }
        }
    }

    /// <summary>Each parcel with its slot's owner in the view without this silo and <paramref name="leaving"/>.</summary>
    private IEnumerable<(SlotParcel Parcel, SiloAddress? Owner)> OwnersWithout(List<SlotParcel> parcels, IReadOnlyCollection<SiloAddress> leaving)
    {
        var view = _membership.ViewWithout([.. leaving, _membership.Me]);
        return parcels.Select(p => (p, view.OwnerOf(p.Slot)));
    }

    private void KeepHere(List<SlotParcel> parcels)
    {
        foreach (var parcel in parcels)
        {
            foreach (var pair in parcel.Records)
            {
                Install(pair.Key, pair.Value);
            }

            _slots.Serve(parcel.Slot);
        }
    }

    private static ReadOnlyMemory<byte> Encode(long version, List<SlotParcel> parcels)
    {
        var writer = new WireWriter(64 + parcels.Sum(p => 16 + (p.Records.Count * 48)));
        writer.WriteInt64(version);
        writer.WriteInt32(parcels.Count);
        foreach (var parcel in parcels)
        {
            writer.WriteInt32(parcel.Slot);
            writer.WriteString(parcel.AwaitedFrom?.ToParsableString());
            writer.WriteInt32(parcel.Records.Count);
            foreach (var pair in parcel.Records)
            {
                KeyRecordCodec.Write(writer, pair.Key, pair.Value);
            }
        }

        return writer.Written;
    }

    /// <summary>The slots the target refused, each with the silo it says owns it, or null when it could not be reached.</summary>
    private async Task<Dictionary<int, SiloAddress?>?> TrySendAsync(SiloAddress target, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // A leaving silo tries once: it then hands the slots to the next owner instead.
        for (var attempt = 0; attempt < (_closed ? 1 : 3); attempt++)
        {
            try
            {
                var reply = await _transport.SendAsync(target, SiloMessageType.Handover, payload, TimeSpan.FromSeconds(30), cancellationToken);
                var reader = new WireReader(reply);
                var refused = new Dictionary<int, SiloAddress?>();
                for (var count = reader.ReadInt32(); count > 0; count--)
                {
                    var slot = reader.ReadInt32();
                    var owner = reader.ReadString();
                    refused[slot] = owner is null ? null : SiloAddress.FromParsableString(owner);
                }

                return refused;
            }
            catch (SiloUnreachableException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
            }
        }

        return null;
    }

    /// <summary>
    /// Stops taking hand-overs (this silo is leaving: keys sent here now would stay behind) and
    /// waits for the ones being installed, so that the leave hands those on too.
    /// </summary>
    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        Interlocked.MemoryBarrier();
        while (Volatile.Read(ref _receiving) != 0)
        {
            // Receiving is synchronous (decode and install): it ends in moments.
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _receiving);
        try
        {
            return new(Receive(payload));
        }
        finally
        {
            Interlocked.Decrement(ref _receiving);
        }
    }

    private byte[] Receive(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var view = _membership.View;
        var refused = new List<int>();
        int slots = reader.ReadInt32(), keys = 0;
        for (var i = 0; i < slots; i++)
        {
            var slot = reader.ReadInt32();
            var awaitedFrom = reader.ReadString();
            var count = reader.ReadInt32();

            // A slot served here already is not the sender's to give: its keys here are newer
            // (the sender was cut off, or is behind). A slot this silo is moving on (or any,
            // once it is leaving) goes back, for the sender to hand to the next owner.
            var receipt = _closed ? HandoverReceipt.Refuse : _slots.BeginReceive(slot, version > view.Version || _membership.Me.Equals(view.OwnerOf(slot)));
            for (var k = 0; k < count; k++)
            {
                var (key, record) = KeyRecordCodec.Read(reader);
                if (receipt == HandoverReceipt.Accept)
                {
                    Install(key, record);
                }
            }

            switch (receipt)
            {
                case HandoverReceipt.Accept:
                    _replication.DropCopy(slot);
                    if (awaitedFrom is null)
                    {
                        _slots.Received(slot);
                    }
                    else
                    {
                        _slots.Redirect(slot, SiloAddress.FromParsableString(awaitedFrom));
                    }

                    _slots.Exit(slot);
                    keys += count;
                    Interlocked.Increment(ref _slotsReceived);
                    break;
                case HandoverReceipt.Refuse:
                    refused.Add(slot);
                    break;
            }
        }

        Interlocked.Add(ref _keysReceived, keys);
        LogReceived(slots, refused.Count, version);
        if (version > _membership.View.Version)
        {
            _membership.RequestRefresh();
        }

        // Where each refused slot goes, as far as this silo knows (it is the one with news).
        view = _closed ? _membership.ViewWithout([_membership.Me]) : view;
        var reply = new WireWriter(8 + (refused.Count * 64));
        reply.WriteInt32(refused.Count);
        foreach (var slot in refused)
        {
            var owner = view.OwnerOf(slot);
            reply.WriteInt32(slot);
            reply.WriteString(owner is null || owner.Equals(_membership.Me) ? null : owner.ToParsableString());
        }

        return reply.Written.ToArray();
    }

    private void Install(byte[] key, KeyRecord record)
    {
        _storage.Write(key, record);
        if (record.HasDeadline)
        {
            _wheel.Schedule(key, record.DeadlineMs);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "View {Version}: {Gained} slots gained, {Waiting} waiting for their keys, {Sending} to hand over, {Lost} with no owner left")]
    private partial void LogPlan(long version, int gained, int waiting, int sending, int lost);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "{Slots} slots refused by the silo they were sent to: handing them to {Silo}")]
    private partial void LogRedelivering(int slots, string silo);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "{Slots} slots ({Keys} keys) refused with no other owner known: they stay here until the view settles")]
    private partial void LogKeptAfterRefusal(int slots, int keys);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Handed {Slots} slots to {Silo}: {Refused} refused")]
    private partial void LogDelivered(int slots, string silo, int refused);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "Received {Slots} slots ({Refused} refused) of view {Version}")]
    private partial void LogReceived(int slots, int refused, long version);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Hand-over to {Silo} failed: {Slots} slots ({Keys} keys) stay here until the view settles")]
    private partial void LogSendFailed(string silo, int slots, int keys);
}

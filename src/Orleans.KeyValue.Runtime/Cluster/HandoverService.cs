using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Placement;
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
    private readonly MembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _keysSent;
    private long _keysReceived;
    private long _slotsSent;
    private long _slotsReceived;

    public HandoverService(
        ClusterViewService membership,
        SlotTable slots,
        IRecordStore<KeyRecord> storage,
        TimingWheel wheel,
        SiloMessenger transport,
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
        _options = options.Value;
        _time = time;
        _logger = logger;
        membership.OnViewChanged(OnViewChangedAsync);
        transport.Handle(SiloMessageType.Handover, HandleAsync);
        membership.OnDeclaredDead(ForgetEverything);
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
        int gained = 0, waiting = 0, lost = 0;
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
                    _slots.Serve(slot);
                    gained++;
                }
                else if (_slots.Await(slot, before))
                {
                    waiting++;
                }
            }
            else if (wasMine && !isMine)
            {
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
                // Was waiting for a silo that has since died: its keys are gone.
                _slots.Serve(slot);
                gained++;
            }
        }

        if (gained + waiting + lost + outgoing.Count > 0)
        {
            LogPlan(view.Version, gained, waiting, outgoing.Sum(o => o.Value.Count), lost);
        }

        await Task.WhenAll(outgoing.Select(pair => SendSlotsAsync(pair.Key, pair.Value, view.Version, cancellationToken)));
    }

    private async Task SendSlotsAsync(SiloAddress target, List<int> slots, long version, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var batch in slots.Chunk(_options.HandoverBatchSlots))
        {
            foreach (var slot in batch)
            {
                await _slots.BeginMoveAsync(slot, cancellationToken);
            }

            var records = new List<KeyValuePair<byte[], KeyRecord>>();
            foreach (var slot in batch)
            {
                foreach (var pair in _storage.TakeSlot(slot))
                {
                    if (!pair.Value.IsExpiredAt(now))
                    {
                        records.Add(pair);
                    }
                }
            }

            var writer = new WireWriter(64 + (records.Count * 48));
            writer.WriteInt64(version);
            writer.WriteInt32(batch.Length);
            foreach (var slot in batch)
            {
                writer.WriteInt32(slot);
            }

            writer.WriteInt32(records.Count);
            foreach (var pair in records)
            {
                KeyRecordCodec.Write(writer, pair.Key, pair.Value);
            }

            if (await TrySendAsync(target, writer.Written, cancellationToken))
            {
                foreach (var slot in batch)
                {
                    _slots.Drop(slot);
                }

                Interlocked.Add(ref _slotsSent, batch.Length);
                Interlocked.Add(ref _keysSent, records.Count);
            }
            else
            {
                // The new owner cannot be reached: keep the keys and serve them until a later
                // view settles where they go (the new owner waits for them, so no one else serves them).
                LogSendFailed(target.ToString(), batch.Length, records.Count);
                foreach (var pair in records)
                {
                    Install(pair.Key, pair.Value);
                }

                foreach (var slot in batch)
                {
                    _slots.Serve(slot);
                }
            }
        }
    }

    private async Task<bool> TrySendAsync(SiloAddress target, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await _transport.SendAsync(target, SiloMessageType.Handover, payload, TimeSpan.FromSeconds(30), cancellationToken);
                return true;
            }
            catch (SiloUnreachableException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
            }
        }

        return false;
    }

    private ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var slots = new int[reader.ReadInt32()];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = reader.ReadInt32();
        }

        // A slot this silo already serves is not the sender's to give: its keys here are newer
        // (the sender was cut off, or is behind). Only slots not served yet take the keys.
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var (key, record) = KeyRecordCodec.Read(reader);
            if (!_slots.IsServed(KeySlot.Of(key)))
            {
                Install(key, record);
            }
        }

        foreach (var slot in slots)
        {
            _slots.Received(slot);
        }

        Interlocked.Add(ref _slotsReceived, slots.Length);
        Interlocked.Add(ref _keysReceived, count);
        if (version > _membership.View.Version)
        {
            _membership.RequestRefresh();
        }

        return new([]);
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

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Hand-over to {Silo} failed: {Slots} slots ({Keys} keys) stay here until the view settles")]
    private partial void LogSendFailed(string silo, int slots, int keys);
}

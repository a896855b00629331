using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Replication;

// The backup's side: writes, fills, lease requests and fetches from owners, each checked
// against this silo's view (caught up to the sender's epoch) under the fence.
public sealed partial class ReplicationService
{
    /// <summary>Waits (briefly) until this silo's view is at least as new as a sender's.</summary>
    private async ValueTask CatchUpAsync(long version, CancellationToken cancellationToken)
    {
        if (version <= _membership.View.Version)
        {
            return;
        }

        _membership.RequestRefresh();
        for (var i = 0; i < 50 && _membership.View.Version < version; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _elapsed, cancellationToken);
        }
    }

    /// <summary>True when this silo's view gives <paramref name="sender"/> the slot and this silo its copy (call under the fence).</summary>
    private bool Backs(ClusterView view, SiloAddress sender, int slot) =>
        view.StatusOf(Me) == SiloStatus.Active
        && !_membership.IsIsolated
        && sender.Equals(view.OwnerOf(slot))
        && Me.Equals(BackupsOf(view)[slot]);

    /// <summary>
    /// True (and remembered) unless a message of a newer generation from the same owner was
    /// already applied to the slot: a message delayed past its sender's timeout must not undo
    /// what came after it (call under the fence).
    /// </summary>
    private bool IsCurrent(SiloAddress sender, int slot, long generation)
    {
        var (owner, newest) = _applied[slot];
        if (sender.Equals(owner) && generation < newest)
        {
            return false;
        }

        _applied[slot] = (sender, generation);
        return true;
    }

    private async ValueTask<byte[]> OnReplicateAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var sender = SiloAddress.FromParsableString(reader.ReadString() ?? string.Empty);
        var generation = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count < 0 || count > payload.Length)
        {
            throw new InvalidDataException("A replication message has a bad count.");
        }

        var writes = new (int Slot, byte[] Key, KeyRecord Record)[count];
        for (var i = 0; i < count; i++)
        {
            var slot = reader.ReadInt32();
            var (key, record) = KeyRecordCodec.Read(reader);
            if (slot is < 0 or >= KeySlot.Count || KeySlot.Of(key) != slot)
            {
                throw new InvalidDataException("A replicated write names the wrong slot.");
            }

            writes[i] = (slot, key, record);
        }

        await CatchUpAsync(version, cancellationToken);
        var reply = new byte[count];
        var applied = 0;
        lock (_fence)
        {
            var view = _membership.View;
            for (var i = 0; i < count; i++)
            {
                if (Backs(view, sender, writes[i].Slot) && IsCurrent(sender, writes[i].Slot, generation))
                {
                    _copies.Apply(writes[i].Key, writes[i].Record);
                    reply[i] = 1;
                    applied++;
                }
            }

            if (applied > 0)
            {
                _granted[sender] = _elapsed.GetTimestamp();
            }
        }

        Interlocked.Add(ref _backedUp, applied);
        Interlocked.Add(ref _refused, count - applied);
        return reply;
    }

    private async ValueTask<byte[]> OnFillAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var sender = SiloAddress.FromParsableString(reader.ReadString() ?? string.Empty);
        var generation = reader.ReadInt64();
        var slots = new List<(int Slot, List<(byte[] Key, KeyRecord Record)> Records)>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            var slot = reader.ReadInt32();
            if (slot is < 0 or >= KeySlot.Count)
            {
                throw new InvalidDataException("A fill names a slot out of range.");
            }

            var records = new List<(byte[], KeyRecord)>();
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                records.Add(KeyRecordCodec.Read(reader));
            }

            slots.Add((slot, records));
        }

        await CatchUpAsync(version, cancellationToken);
        var refused = new List<int>();
        lock (_fence)
        {
            var view = _membership.View;
            foreach (var (slot, records) in slots)
            {
                if (Backs(view, sender, slot) && IsCurrent(sender, slot, generation))
                {
                    _copies.Replace(slot, records);
                }
                else
                {
                    refused.Add(slot);
                }
            }

            if (refused.Count < slots.Count)
            {
                _granted[sender] = _elapsed.GetTimestamp();
            }
        }

        Interlocked.Add(ref _refused, refused.Count);
        var reply = new WireWriter(4 + (refused.Count * 4));
        reply.WriteInt32(refused.Count);
        foreach (var slot in refused)
        {
            reply.WriteInt32(slot);
        }

        return reply.ToArray();
    }

    private async ValueTask<byte[]> OnLeaseAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var sender = SiloAddress.FromParsableString(reader.ReadString() ?? string.Empty);
        await CatchUpAsync(version, cancellationToken);
        lock (_fence)
        {
            var view = _membership.View;
            if (view.StatusOf(sender) != SiloStatus.Active || view.StatusOf(Me) != SiloStatus.Active || _membership.IsIsolated)
            {
                return [0];
            }

            _granted[sender] = _elapsed.GetTimestamp();
            return [1];
        }
    }

    private async ValueTask<byte[]> OnFetchAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var version = reader.ReadInt64();
        var requester = SiloAddress.FromParsableString(reader.ReadString() ?? string.Empty);
        var dead = SiloAddress.FromParsableString(reader.ReadString() ?? string.Empty);
        var slots = new List<int>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            slots.Add(reader.ReadInt32());
        }

        await CatchUpAsync(version, cancellationToken);
        await WaitForLeaseToEndAsync(dead, cancellationToken);
        var reply = new WireWriter(256);
        var taken = new List<(int Slot, List<KeyValuePair<byte[], KeyRecord>> Records, bool Complete)>();
        lock (_fence)
        {
            var view = _membership.View;
            foreach (var slot in slots)
            {
                // Only the slot's owner in a view as new as the requester's gets the copy; from
                // then on this silo takes no write for it from the dead owner (its view says so).
                if (slot is >= 0 and < KeySlot.Count && requester.Equals(view.OwnerOf(slot)))
                {
                    var (records, complete) = _copies.Take(slot);
                    _applied[slot] = default;
                    taken.Add((slot, records, complete));
                }
            }
        }

        reply.WriteInt32(taken.Count);
        foreach (var (slot, records, complete) in taken)
        {
            reply.WriteInt32(slot);
            reply.WriteByte(complete ? (byte)1 : (byte)0);
            reply.WriteInt32(records.Count);
            foreach (var (key, record) in records)
            {
                KeyRecordCodec.Write(reply, key, record);
            }
        }

        return reply.ToArray();
    }
}

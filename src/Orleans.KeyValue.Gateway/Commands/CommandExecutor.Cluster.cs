using System.Globalization;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Commands;

// Routing: a key command runs where its key's slot is served. Locally it passes the slot's
// gate (so a hand-over never takes keys from under it); otherwise the whole command travels
// to the owner over the silo connection, and its reply comes back. A silo that receives a
// command for a slot it no longer owns forwards it again, a bounded number of times.
public sealed partial class CommandExecutor
{
    private static readonly ClientSession ForwardedSession = new(0, null, null, 0, authenticated: true) { Protocol = 3, Name = "silo" };

    /// <summary>True when this executor is part of a cluster (false in tests of the gateway alone).</summary>
    public bool Clustered => _cluster is not null;

    private void AttachCluster(ClusterRouter cluster)
    {
        cluster.Transport.Handle(SiloMessageType.Command, HandleForwardedAsync);
        cluster.Transport.Handle(SiloMessageType.LocalCommand, HandleLocalOperationAsync);
    }

    /// <summary>The key a command routes by, or false for commands that run where they arrive.</summary>
    internal static bool TryGetRoutingKey(CommandDefinition definition, RespRequest request, out int keyIndex)
    {
        keyIndex = 0;
        switch (definition.Routing)
        {
            case KeyRouting.ScriptKeys:
                // EVAL/EVALSHA: the keys follow numkeys; a script without keys runs here.
                if (request.Count > 3 && RespNumber.TryParseInt64(request[2], out var keyCount) && keyCount > 0 && keyCount <= request.Count - 3)
                {
                    keyIndex = 3;
                    return true;
                }

                return false;
            case KeyRouting.KeyValuePairs:
                // MSETEX: by its first key, once its numkeys layout is whole (else it errs where it arrives).
                keyIndex = 2;
                return TryFindPairKeys(request, out _);
            default:
                keyIndex = definition.FirstKey;
                return keyIndex > 0 && request.Count > keyIndex;
        }
    }

    /// <summary>
    /// True when a command routed by a key in <paramref name="slot"/> also names keys of other
    /// slots: DEL and EXISTS (every argument a key), MSETEX (the keys of its pairs). Other commands
    /// route by one key and never span slots; for them this returns at once, without allocating.
    /// </summary>
    internal static bool SpansSlots(CommandDefinition definition, RespRequest request, int slot) => definition.Routing switch
    {
        KeyRouting.EachKey => request.Count > 2 && !SameSlot(request, 2, request.Count - 1, 1, slot),
        KeyRouting.KeyValuePairs => TryFindPairKeys(request, out var lastKey) && !SameSlot(request, 4, lastKey, 2, slot),
        _ => false,
    };

    private ValueTask<KvReply> Route(CommandContext context, CommandDefinition definition, RespRequest request, int keyIndex)
    {
        var cluster = _cluster!;
        var slot = KeySlot.Of(request[keyIndex]);
        if (SpansSlots(definition, request, slot))
        {
            // DEL and EXISTS of keys in several slots: one command per key, each where it lives.
            // MSETEX is all-or-nothing only within one slot (see CommandExecutor.MSetEx.cs): CROSSSLOT.
            return definition.Routing == KeyRouting.EachKey
                ? SumAcrossSlotsAsync(context, definition, request)
                : new(KvReply.FromError(ErrorTexts.CrossSlot));
        }

        if (cluster.Membership.IsServing && cluster.Slots.TryEnter(slot, out _))
        {
            return RunEntered(slot, definition, context, request);
        }

        return RouteSlowAsync(context, definition, request, slot);
    }

    private ValueTask<KvReply> RunEntered(int slot, CommandDefinition definition, CommandContext context, RespRequest request)
    {
        ValueTask<KvReply> pending;
        try
        {
            pending = definition.Handler!(context, request);
        }
        catch
        {
            _cluster!.Slots.Exit(slot);
            throw;
        }

        if (pending.IsCompleted)
        {
            _cluster!.Slots.Exit(slot);
            return pending;
        }

        return ExitWhenDoneAsync(slot, pending);
    }

    private async ValueTask<KvReply> ExitWhenDoneAsync(int slot, ValueTask<KvReply> pending)
    {
        try
        {
            return await pending;
        }
        finally
        {
            _cluster!.Slots.Exit(slot);
        }
    }

    private async ValueTask<KvReply> RouteSlowAsync(CommandContext context, CommandDefinition definition, RespRequest request, int slot)
    {
        var cluster = _cluster!;
        var membership = cluster.Membership;
        var started = _time.GetTimestamp();
        while (true)
        {
            var left = cluster.RequestTimeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return KvReply.FromError(ErrorTexts.TryAgain);
            }

            if (!membership.Joined.IsCompleted)
            {
                await WaitQuietlyAsync(membership.Joined, left);
                continue;
            }

            Task? settled = null;
            if (membership.IsServing)
            {
                if (cluster.Slots.TryEnter(slot, out settled))
                {
                    return await RunEntered(slot, definition, context, request);
                }
            }
            else if (membership.IsIsolated || membership.View.OwnerOf(slot) is not { } elsewhere || elsewhere.Equals(membership.Me))
            {
                // Isolated, declared dead and rejoining, or done leaving: this silo must not
                // serve the key, and no other owner is known to it. The client retries.
                return KvReply.FromError(ErrorTexts.TryAgain);
            }

            if (settled is not null)
            {
                // Moving in or out: wait for the hand-over, then route again.
                await WaitQuietlyAsync(settled, left);
                continue;
            }

            var owner = membership.View.OwnerOf(slot);
            if (owner is null)
            {
                return KvReply.FromError(membership.IsServing ? ErrorTexts.ClusterDown : ErrorTexts.TryAgain);
            }

            if (owner.Equals(membership.Me))
            {
                // The view says this silo owns it, but the gate is not open yet: the view change
                // is being applied. Give it a moment.
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time);
                continue;
            }

            if (context.Hops >= ClusterRouter.MaxHops)
            {
                return KvReply.FromError(ErrorTexts.TryAgain);
            }

            if (await ForwardAsync(context, definition, request, owner, left) is { } reply)
            {
                return reply;
            }

            // The owner did not answer: maybe it left or died. Read the table and try again
            // until the time is up.
            membership.RequestRefresh();
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time);
        }
    }

    private static async Task WaitQuietlyAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // The caller sees the time left run out.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A failed join: the caller answers with a retryable error.
        }
    }

    private async ValueTask<KvReply?> ForwardAsync(CommandContext context, CommandDefinition definition, RespRequest request, SiloAddress owner, TimeSpan timeout)
    {
        var writer = new WireWriter(64 + request.Count * 16);
        writer.WriteByte((byte)(context.Hops + 1));

        // EVALSHA goes as EVAL when this silo knows the body: the owner may not have it cached.
        byte[]? body = null;
        var asEval = definition.Name == "evalsha" && _scripts.TryGetBody(request[1], out body);
        writer.WriteInt32(request.Count);
        for (var i = 0; i < request.Count; i++)
        {
            if (asEval && i == 0)
            {
                writer.WriteBytes("EVAL"u8);
            }
            else if (asEval && i == 1)
            {
                writer.WriteBytes(body!);
            }
            else
            {
                writer.WriteBytes(request[i]);
            }
        }

        try
        {
            Interlocked.Increment(ref _cluster!._forwarded);
            var response = await _cluster.Transport.SendAsync(owner, SiloMessageType.Command, writer.Written, timeout);
            return KvReplyCodec.Read(new WireReader(response));
        }
        catch (SiloUnreachableException exception)
        {
            // Sent but unanswered: the owner may have run it, so running it again could apply a
            // write twice. The client decides (TRYAGAIN); only a command never sent is retried here.
            return exception.MayHaveArrived ? KvReply.FromError(ErrorTexts.TryAgain) : null;
        }
    }

    private async ValueTask<byte[]> HandleForwardedAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var hops = reader.ReadByte();
        var count = reader.ReadInt32();
        using var request = new RespRequest();
        for (var i = 0; i < count; i++)
        {
            request.Add(reader.ReadBytesSlice().Span);
        }

        var context = new CommandContext(ForwardedSession) { Hops = hops };
        var reply = await ExecuteAsync(context, request);
        return KvReplyCodec.ToBytes(reply);
    }

    /// <summary>True when the keys at <paramref name="first"/>, first + step, ... up to <paramref name="last"/> are all in <paramref name="slot"/>.</summary>
    private static bool SameSlot(RespRequest request, int first, int last, int step, int slot)
    {
        for (var i = first; i <= last; i += step)
        {
            if (KeySlot.Of(request[i]) != slot)
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<KvReply> SumAcrossSlotsAsync(CommandContext context, CommandDefinition definition, RespRequest request)
    {
        long total = 0;

        // Name and keys copied once; each per-key command is built from them.
        var name = request.ToArray(0);
        var keys = new byte[request.Count - 1][];
        for (var i = 1; i < request.Count; i++)
        {
            keys[i - 1] = request.ToArray(i);
        }

        using var single = new RespRequest();
        foreach (var key in keys)
        {
            single.Reset();
            single.Add(name);
            single.Add(key);
            var reply = await Route(context, definition, single, 1);
            if (reply.IsError)
            {
                return reply;
            }

            total += reply.Integer;
        }

        return KvReply.FromInteger(total);
    }

    // ---- Cluster-wide commands: every active silo runs its part on its own keys. ----

    /// <summary>Runs <paramref name="operation"/> on every active silo (this one locally) and returns the replies.</summary>
    private async Task<List<KvReply>> OnEverySiloAsync(LocalOperation operation, Action<WireWriter>? arguments = null)
    {
        var replies = new List<KvReply>();
        if (_cluster is null)
        {
            replies.Add(RunLocalOperation(operation, new WireReader(Arguments(arguments))));
            return replies;
        }

        var membership = _cluster.Membership;
        var payload = new WireWriter();
        payload.WriteByte((byte)operation);
        arguments?.Invoke(payload);
        var tasks = new List<Task<KvReply>>();
        var includesMe = false;
        foreach (var silo in membership.View.ActiveSilos)
        {
            if (silo.Equals(membership.Me))
            {
                includesMe = true;
                continue;
            }

            tasks.Add(SendLocalOperationAsync(silo, payload.Written));
        }

        if (includesMe || membership.View.ActiveSilos.Count == 0)
        {
            replies.Add(RunLocalOperation(operation, new WireReader(Arguments(arguments))));
        }

        replies.AddRange(await Task.WhenAll(tasks));
        return replies;
    }

    private static ReadOnlyMemory<byte> Arguments(Action<WireWriter>? arguments)
    {
        var writer = new WireWriter();
        arguments?.Invoke(writer);
        return writer.Written;
    }

    private async Task<KvReply> SendLocalOperationAsync(SiloAddress silo, ReadOnlyMemory<byte> payload)
    {
        try
        {
            var response = await _cluster!.Transport.SendAsync(silo, SiloMessageType.LocalCommand, payload);
            return KvReplyCodec.Read(new WireReader(response));
        }
        catch (SiloUnreachableException)
        {
            return KvReply.FromError(ErrorTexts.TryAgain);
        }
    }

    private ValueTask<byte[]> HandleLocalOperationAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var operation = (LocalOperation)reader.ReadByte();
        return new(KvReplyCodec.ToBytes(RunLocalOperation(operation, reader)));
    }

    private KvReply RunLocalOperation(LocalOperation operation, WireReader reader)
    {
        switch (operation)
        {
            case LocalOperation.DbSize:
                return KvReply.FromInteger(_storage.Count);
            case LocalOperation.Keys:
                return KvReply.FromArray([.. LocalKeys(reader.ReadBytes())]);
            case LocalOperation.Flush:
                _storage.ClearAll();
                return KvReply.Ok;
            case LocalOperation.Scan:
                var cursor = reader.ReadInt64();
                var count = reader.ReadInt32();
                var pattern = reader.ReadByte() == 1 ? reader.ReadBytes() : null;
                var type = reader.ReadByte() == 1 ? reader.ReadBytes() : null;
                return LocalScan(cursor, count, pattern, type);
            case LocalOperation.KeyspaceStats:
                var (keys, expires) = LocalKeyspaceStats();
                return KvReply.FromArray([KvReply.FromInteger(keys), KvReply.FromInteger(expires)]);
            case LocalOperation.ScriptLoad:
                return _scripts.Load(reader.ReadBytes());
            case LocalOperation.ScriptFlush:
                _scripts.Flush();
                return KvReply.Ok;
            default:
                throw new InvalidDataException($"Unknown local operation {operation}.");
        }
    }

    /// <summary>One SCAN step here: walks the slots this silo serves from <paramref name="cursor"/>.</summary>
    private KvReply LocalScan(long cursor, int count, byte[]? pattern, byte[]? type)
    {
        var now = NowMs;
        var found = new List<KvReply>();
        Func<int, bool>? served = _cluster is null ? null : _cluster.Slots.IsServed;
        var next = _storage.Scan(cursor, count, (key, record) =>
        {
            if (record.IsExpiredAt(now) ||
                (pattern is not null && !Keyspace.GlobPattern.IsMatch(pattern, key)) ||
                (type is not null && !System.Text.Ascii.EqualsIgnoreCase(type, record.Kind == ValueKind.String ? "string"u8 : "none"u8)))
            {
                return;
            }

            found.Add(KvReply.FromBulk(key));
        }, served);
        return KvReply.FromArray([KvReply.FromInteger(next), KvReply.FromArray([.. found])]);
    }

    /// <summary>
    /// Cluster SCAN: the cursor is a position in slot order (slot, position in the slot), so it
    /// stays valid across silos; each step asks the owner of the cursor's slot to walk on
    /// through the slots it serves. Keys present for the whole scan are returned; keys of a slot
    /// that moves during the scan may be missed or repeated, as with Redis Cluster.
    /// </summary>
    private async ValueTask<KvReply> ClusterScanAsync(long cursor, long count, byte[]? pattern, byte[]? type)
    {
        var found = new List<KvReply>();
        var steps = 0;
        do
        {
            var slot = (int)Math.Min((ulong)cursor >> 32, KeySlot.Count - 1);
            var owner = _cluster?.Membership.View.OwnerOf(slot);
            var wanted = (int)Math.Min(count - found.Count, 1_000_000);
            KvReply step;
            var finished = false;
            if (_cluster is null || owner is null || owner.Equals(_cluster.Membership.Me))
            {
                step = LocalScan(cursor, wanted, pattern, type);

                // From cursor 0 a walk that reached the end also answers 0: that is the end of
                // the scan, not a slot in transition, when this silo serves the cursor's slot
                // (else a one-silo SCAN 0 walked everything twice).
                finished = step.Items![0].Integer == 0 && (_cluster is null || _cluster.Slots.IsServed(slot));
            }
            else
            {
                var payload = new WireWriter();
                payload.WriteByte((byte)LocalOperation.Scan);
                payload.WriteInt64(cursor);
                payload.WriteInt32(wanted);
                payload.WriteByte(pattern is null ? (byte)0 : (byte)1);
                if (pattern is not null)
                {
                    payload.WriteBytes(pattern);
                }

                payload.WriteByte(type is null ? (byte)0 : (byte)1);
                if (type is not null)
                {
                    payload.WriteBytes(type);
                }

                step = await SendLocalOperationAsync(owner, payload.Written);
                if (step.IsError)
                {
                    return step;
                }
            }

            var next = step.Items![0].Integer;
            found.AddRange(step.Items[1].Items!);
            if (next == cursor && !finished)
            {
                // The slot is in transition (no silo serves it right now): step over it.
                next = slot + 1 >= KeySlot.Count ? 0 : (long)(slot + 1) << 32;
            }

            cursor = next;
        }
        while (cursor != 0 && found.Count < count && ++steps < 64);

        return KvReply.FromArray(
        [
            KvReply.FromBulk(cursor.ToString(CultureInfo.InvariantCulture)),
            KvReply.FromArray([.. found]),
        ]);
    }

    private List<KvReply> LocalKeys(byte[] pattern)
    {
        var now = NowMs;
        var all = pattern is [(byte)'*'];
        var found = new List<KvReply>();
        long cursor = 0;
        do
        {
            cursor = _storage.Scan(cursor, 4096, (key, record) =>
            {
                if (!record.IsExpiredAt(now) && (all || Keyspace.GlobPattern.IsMatch(pattern, key)))
                {
                    found.Add(KvReply.FromBulk(key));
                }
            });
        }
        while (cursor != 0);
        return found;
    }

    private (long Keys, long Expires) LocalKeyspaceStats()
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

    /// <summary>
    /// INFO's cluster section. <c>cluster_enabled:0</c> as Redis reports it for a server that
    /// does not speak the Redis Cluster protocol (clients must not switch to cluster mode: any
    /// silo answers for any key); the silos follow as <c>silo_N</c> lines.
    /// </summary>
    private void AppendClusterSection(System.Text.StringBuilder text)
    {
        text.Append("# Cluster\r\ncluster_enabled:0\r\n");
        if (_cluster is null)
        {
            text.Append("\r\n");
            return;
        }

        var membership = _cluster.Membership;
        var view = membership.View;
        text.Append("kv_cluster_state:").Append(view.ActiveSilos.Count > 0 ? "ok" : "fail").Append("\r\n")
            .Append("kv_view_version:").Append(view.Version).Append("\r\n")
            .Append("kv_silos_active:").Append(view.ActiveSilos.Count).Append("\r\n")
            .Append("kv_silos_known:").Append(view.Members.Count).Append("\r\n")
            .Append("kv_this_silo:").Append(membership.Me).Append("\r\n")
            .Append("kv_serving:").Append(membership.IsServing ? 1 : 0).Append("\r\n")
            .Append("kv_slots_served:").Append(_cluster.Slots.ServedCount).Append("\r\n")
            .Append("kv_slots_waiting:").Append(_cluster.Slots.WaitingCount).Append("\r\n")
            .Append("kv_commands_forwarded:").Append(_cluster.Forwarded).Append("\r\n")
            .Append("kv_handover_keys_sent:").Append(_cluster.Handover.KeysSent).Append("\r\n")
            .Append("kv_handover_keys_received:").Append(_cluster.Handover.KeysReceived).Append("\r\n");
        var index = 0;
        foreach (var member in view.Members.OrderBy(m => m.StartTime))
        {
            text.Append("silo_").Append(index++).Append(":name=").Append(member.Name)
                .Append(",address=").Append(member.Silo.Endpoint)
                .Append(",gateway_port=").Append(member.GatewayPort)
                .Append(",generation=").Append(member.Silo.Generation)
                .Append(",status=").Append(member.Status.ToString().ToLowerInvariant())
                .Append(",started=").Append(member.StartTime.ToUnixTimeSeconds())
                .Append(",self=").Append(member.Silo.Equals(membership.Me) ? 1 : 0)
                .Append("\r\n");
        }

        text.Append("\r\n");
    }
}

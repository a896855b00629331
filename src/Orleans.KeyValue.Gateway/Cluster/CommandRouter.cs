using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Cluster;

/// <summary>
/// Routing: a key command runs where its key's slot is served. Locally it passes the slot's
/// gate (so a hand-over never takes keys from under it); otherwise the whole command travels
/// to the owner over the silo connection, and its reply comes back. A silo that receives a
/// command for a slot it no longer owns forwards it again, a bounded number of times.
/// </summary>
internal sealed class CommandRouter
{
    private readonly ClusterRouter _cluster;
    private readonly TimeProvider _time;
    private readonly LuaScriptEngine _scripts;
    private readonly CommandExecutor _executor;

    public CommandRouter(ClusterRouter cluster, TimeProvider time, LuaScriptEngine scripts, CommandExecutor executor)
    {
        _cluster = cluster;
        _time = time;
        _scripts = scripts;
        _executor = executor;
        cluster.Transport.Handle(SiloMessageType.Command, HandleForwardedAsync);
    }

    public ValueTask<KvReply> Route(CommandContext context, CommandDefinition definition, RespRequest request, int keyIndex)
    {
        var slot = KeySlot.Of(request[keyIndex]);
        if (CommandKeys.SpansSlots(definition, request, slot))
        {
            // DEL and EXISTS of keys in several slots: one command per key, each where it lives;
            // MGET and MSET: one command per slot. MSETEX, MSETNX and LCS need their keys in
            // one slot (see MSetExCommands, StringTypeCommands): CROSSSLOT.
            return definition.Routing switch
            {
                KeyRouting.EachKey => SumAcrossSlotsAsync(context, definition, request),
                KeyRouting.EachKeyArray => CollectAcrossSlotsAsync(context, definition, request),
                KeyRouting.PairsBySlot => SetAcrossSlotsAsync(context, definition, request),
                _ => new(KvReply.FromError(ErrorTexts.CrossSlot)),
            };
        }

        if (_cluster.Membership.IsServing && _cluster.Slots.TryEnter(slot, out _))
        {
            return RunEntered(slot, definition, context, request);
        }

        return RouteSlowAsync(context, definition, request, slot);
    }

    private ValueTask<KvReply> RunEntered(int slot, CommandDefinition definition, CommandContext context, RespRequest request)
    {
        if (definition.Routing == KeyRouting.ScriptKeys || definition.HoldsSlot)
        {
            // A script guards its slot itself: one key's script in its grain's turn (which enters
            // the slot, and waits while the slot is filled or held), several keys' script by
            // holding the slot. Holding it here too would make either wait for itself.
            _cluster.Slots.Exit(slot);
            return definition.Handler!(context, request);
        }

        ValueTask<KvReply> pending;
        try
        {
            pending = definition.Handler!(context, request);
        }
        catch
        {
            _cluster.Slots.Exit(slot);
            throw;
        }

        if (pending.IsCompleted)
        {
            _cluster.Slots.Exit(slot);
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
            _cluster.Slots.Exit(slot);
        }
    }

    private async ValueTask<KvReply> RouteSlowAsync(CommandContext context, CommandDefinition definition, RespRequest request, int slot)
    {
        var membership = _cluster.Membership;
        var started = _time.GetTimestamp();
        while (true)
        {
            var left = _cluster.RequestTimeout - _time.GetElapsedTime(started);
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
                if (_cluster.Slots.TryEnter(slot, out settled))
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
            Interlocked.Increment(ref _cluster._forwarded);
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

        var reply = await _executor.ExecuteForwardedAsync(hops, request);
        return KvReplyCodec.ToBytes(reply);
    }

    /// <summary>MGET over several slots: one MGET per slot, where the slot lives; the values in the keys' order.</summary>
    private async ValueTask<KvReply> CollectAcrossSlotsAsync(CommandContext context, CommandDefinition definition, RespRequest request)
    {
        var name = request.ToArray(0);
        var bySlot = new Dictionary<int, List<int>>();
        for (var i = 1; i < request.Count; i++)
        {
            var slot = KeySlot.Of(request[i]);
            if (!bySlot.TryGetValue(slot, out var positions))
            {
                bySlot[slot] = positions = [];
            }

            positions.Add(i);
        }

        // The client's request stays untouched until its reply is written: its keys are read after each await.
        var values = new KvReply[request.Count - 1];
        using var single = new RespRequest();
        foreach (var positions in bySlot.Values)
        {
            single.Reset();
            single.Add(name);
            foreach (var position in positions)
            {
                single.Add(request[position]);
            }

            var reply = await Route(context, definition, single, 1);
            if (reply.IsError)
            {
                return reply;
            }

            for (var k = 0; k < positions.Count; k++)
            {
                values[positions[k] - 1] = reply.Items![k];
            }
        }

        return KvReply.FromArray(values);
    }

    /// <summary>MSET over several slots: one MSET per slot, where the slot lives, in the order the slots first appear.</summary>
    private async ValueTask<KvReply> SetAcrossSlotsAsync(CommandContext context, CommandDefinition definition, RespRequest request)
    {
        var name = request.ToArray(0);
        var bySlot = new Dictionary<int, List<(byte[] Key, byte[] Value)>>();
        for (var i = 1; i + 1 < request.Count; i += 2)
        {
            var slot = KeySlot.Of(request[i]);
            if (!bySlot.TryGetValue(slot, out var pairs))
            {
                bySlot[slot] = pairs = [];
            }

            pairs.Add((request.ToArray(i), request.ToArray(i + 1)));
        }

        using var single = new RespRequest();
        foreach (var pairs in bySlot.Values)
        {
            single.Reset();
            single.Add(name);
            foreach (var (key, value) in pairs)
            {
                single.Add(key);
                single.Add(value);
            }

            var reply = await Route(context, definition, single, 1);
            if (reply.IsError)
            {
                return reply;
            }
        }

        return KvReply.Ok;
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
}

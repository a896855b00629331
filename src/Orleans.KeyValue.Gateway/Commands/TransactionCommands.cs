using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// MULTI, EXEC, DISCARD, WATCH, UNWATCH. Commands after MULTI are checked (name, arity) and queued;
/// their keys must share one slot, as in Redis Cluster (CROSSSLOT otherwise, and EXEC aborts). EXEC
/// runs the queue where the slot lives with the slot held for it alone (<see cref="Grains.Keys.SlotTurn"/>),
/// its writes going to the backup together, so the transaction is atomic as Redis's is; a queue
/// without keys runs as it comes. WATCH remembers what each key held (type, value, deadline); EXEC,
/// holding the slot, compares and answers nil if any changed. Unlike Redis, a key changed and then
/// changed back between WATCH and EXEC does not abort the transaction. Commands scripts may not
/// call (INFO, KEYS, EVAL, ...) answer an error in their place of EXEC's reply when the
/// transaction has keys (its queue runs in the slot's turn, as a script does).
/// </summary>
internal sealed class TransactionCommands(CommandExecutor executor)
{
    /// <summary>The "function name" a transaction runs under as a script over its slot (no function has it).</summary>
    public const string Marker = "\0transaction";

    /// <summary>The internal command that runs EXEC's queue where its slot lives: EVAL's layout, the queue as the body (not in the command table).</summary>
    public const string ExecCommand = "__kv_exec";

    private static readonly KvReply Queued = KvReply.FromStatus("QUEUED");

    /// <summary>True for the commands that act at once inside a MULTI (Redis: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).</summary>
    public static bool IsControl(ReadOnlySpan<byte> name) =>
        Arguments.Is(name, "exec"u8) || Arguments.Is(name, "discard"u8) || Arguments.Is(name, "multi"u8)
        || Arguments.Is(name, "watch"u8) || Arguments.Is(name, "quit"u8) || Arguments.Is(name, "reset"u8);

    public static ValueTask<KvReply> MultiAsync(CommandContext context, RespRequest request)
    {
        if (context.Session.Transaction is not null)
        {
            return Replies.Error("ERR MULTI calls can not be nested");
        }

        context.Session.Transaction = new Transaction();
        return new(KvReply.Ok);
    }

    public static ValueTask<KvReply> DiscardAsync(CommandContext context, RespRequest request)
    {
        if (context.Session.Transaction is null)
        {
            return Replies.Error("ERR DISCARD without MULTI");
        }

        context.Session.Transaction = null;
        context.Session.Watched = null;
        return new(KvReply.Ok);
    }

    public static ValueTask<KvReply> UnwatchAsync(CommandContext context, RespRequest request)
    {
        context.Session.Watched = null;
        return new(KvReply.Ok);
    }

    /// <summary>WATCH key [key ...]: what each key holds now (a key watched already keeps its first look).</summary>
    public async ValueTask<KvReply> WatchAsync(CommandContext context, RespRequest request)
    {
        if (context.Session.Transaction is not null)
        {
            return KvReply.FromError("ERR WATCH inside MULTI is not allowed");
        }

        var keys = new byte[request.Count - 1][];
        for (var i = 1; i < request.Count; i++)
        {
            keys[i - 1] = request.ToArray(i);
        }

        var session = context.Session;
        foreach (var key in keys)
        {
            session.Watched ??= new Dictionary<byte[], byte[]>(Runtime.ByteArrayComparer.Instance);
            if (session.Watched.ContainsKey(key))
            {
                continue;
            }

            var look = await FingerprintAsync(key, command => executor.ExecuteInternalAsync(session, command));
            if (look is null)
            {
                // The key's owner could not be asked: no watch to trust.
                session.Watched = null;
                return KvReply.FromError(Grains.ErrorReplies.TryAgain);
            }

            session.Watched[key] = look;
        }

        return KvReply.Ok;
    }

    /// <summary>A command after MULTI: checked already (name, arity); its keys must be in the transaction's slot.</summary>
    public static KvReply Queue(Transaction transaction, CommandDefinition definition, RespRequest request)
    {
        if (CommandKeys.TryGetRoutingKey(definition, request, out var keyIndex))
        {
            var slot = KeySlot.Of(request[keyIndex]);
            if (CommandKeys.SpansSlots(definition, request, slot) || (transaction.Slot >= 0 && transaction.Slot != slot))
            {
                transaction.Failed = true;
                return KvReply.FromError(ErrorTexts.CrossSlot);
            }

            transaction.Slot = slot;
        }

        var command = new byte[request.Count][];
        for (var i = 0; i < request.Count; i++)
        {
            command[i] = request.ToArray(i);
        }

        transaction.Queued.Add(command);
        return Queued;
    }

    public async ValueTask<KvReply> ExecAsync(CommandContext context, RespRequest request)
    {
        var session = context.Session;
        if (session.Transaction is not { } transaction)
        {
            return KvReply.FromError("ERR EXEC without MULTI");
        }

        var watched = session.Watched;
        session.Transaction = null;
        session.Watched = null;
        if (transaction.Failed)
        {
            return KvReply.FromError("EXECABORT Transaction discarded because of previous errors.");
        }

        var slot = transaction.Slot;
        foreach (var key in watched?.Keys ?? Enumerable.Empty<byte[]>())
        {
            var watchedSlot = KeySlot.Of(key);
            if (slot >= 0 && watchedSlot != slot)
            {
                return KvReply.FromError(ErrorTexts.CrossSlot);
            }

            slot = watchedSlot;
        }

        if (slot < 0)
        {
            // No keys: nothing for the queue to be atomic over; it runs as it comes.
            var replies = new KvReply[transaction.Queued.Count];
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = executor.RecheckQueued(session.User, transaction.Queued[i]) ?? await executor.ExecuteInternalAsync(session, transaction.Queued[i]);
            }

            return KvReply.FromArray(replies);
        }

        // Where the slot lives, with the slot held: EVAL's layout, with the queue as the body and
        // a key of the slot (two, so that it runs over the slot, not one key's turn).
        var routingKey = watched?.Keys.FirstOrDefault() ?? FirstKeyOf(transaction);
        using var exec = new RespRequest();
        exec.Add(System.Text.Encoding.ASCII.GetBytes(ExecCommand));
        exec.Add(Encode(watched, transaction.Queued));
        exec.Add("1"u8);
        exec.Add(routingKey);
        return await executor.RouteTransactionAsync(context, exec);
    }

    /// <summary>
    /// Runs a transaction's queue inside its slot's turn (called through the script path): nil
    /// when a watched key changed, else every command's reply in order. <paramref name="recheck"/>
    /// answers in a command's place when its user may no longer run it (the look at watched keys
    /// is the server's own and is not checked).
    /// </summary>
    public static KvReply Run(byte[] body, Func<byte[][], KvReply> call, Func<byte[][], KvReply?>? recheck = null)
    {
        var reader = new WireReader(body);
        var watched = new List<(byte[] Key, byte[] Look)>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            watched.Add((reader.ReadBytes(), reader.ReadBytes()));
        }

        foreach (var (key, look) in watched)
        {
            // Every command here completes at once (the slot's turn): so does the look.
            var pending = FingerprintAsync(key, command => new ValueTask<KvReply>(call(command)));
            var now = pending.IsCompletedSuccessfully ? pending.Result : null;
            if (now is null || !now.AsSpan().SequenceEqual(look))
            {
                return KvReply.NilArray;
            }
        }

        var replies = new List<KvReply>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            var command = new byte[reader.ReadInt32()][];
            for (var i = 0; i < command.Length; i++)
            {
                command[i] = reader.ReadBytes();
            }

            replies.Add(recheck?.Invoke(command) ?? RunOne(call, command));
        }

        return KvReply.FromArray([.. replies]);
    }

    /// <summary>
    /// One queued command inside the slot's turn. Commands that cannot complete there (a
    /// cluster-wide one such as DBSIZE, which asks other silos) answer an error in their place of
    /// the reply instead of failing the whole EXEC.
    /// </summary>
    private static KvReply RunOne(Func<byte[][], KvReply> call, byte[][] command)
    {
        try
        {
            return call(command);
        }
        catch (InvalidOperationException)
        {
            return KvReply.FromError("ERR " + System.Text.Encoding.UTF8.GetString(command[0]) + " cannot run inside a transaction with keys here");
        }
    }

    /// <summary>What a key holds, as bytes to compare: its type, deadline and value (null when a command failed, as on a silo in transition).</summary>
    private static async ValueTask<byte[]?> FingerprintAsync(byte[] key, Func<byte[][], ValueTask<KvReply>> run)
    {
        var type = await run(["TYPE"u8.ToArray(), key]);
        var deadline = await run(["PEXPIRETIME"u8.ToArray(), key]);
        var read = type.Text switch
        {
            "string" => ["GET"u8.ToArray(), key],
            "hash" => ["HGETALL"u8.ToArray(), key],
            _ => (byte[][]?)null,
        };
        var value = read is null ? KvReply.Nil : await run(read);
        if (type.IsError || deadline.IsError || value.IsError)
        {
            return null;
        }

        // A digest: a watched big value costs its connection 32 bytes, not a copy.
        return System.Security.Cryptography.SHA256.HashData([.. KvReplyCodec.ToBytes(type), .. KvReplyCodec.ToBytes(deadline), .. KvReplyCodec.ToBytes(value)]);
    }

    private static byte[] FirstKeyOf(Transaction transaction)
    {
        foreach (var command in transaction.Queued)
        {
            if (command.Length > 1 && KeySlot.Of(command[1]) == transaction.Slot)
            {
                return command[1];
            }
        }

        // Only a numkeys layout put the keys further on (EVAL, MSETEX): find one of the slot.
        return transaction.Queued.SelectMany(c => c.Skip(1)).First(a => KeySlot.Of(a) == transaction.Slot);
    }

    private static byte[] Encode(Dictionary<byte[], byte[]>? watched, List<byte[][]> queued)
    {
        var writer = new WireWriter(256);
        writer.WriteInt32(watched?.Count ?? 0);
        foreach (var (key, look) in watched ?? [])
        {
            writer.WriteBytes(key);
            writer.WriteBytes(look);
        }

        writer.WriteInt32(queued.Count);
        foreach (var command in queued)
        {
            writer.WriteInt32(command.Length);
            foreach (var argument in command)
            {
                writer.WriteBytes(argument);
            }
        }

        return writer.ToArray();
    }
}

using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// <c>MSETEX numkeys key value [key value ...] [NX | XX] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]</c>
/// (Redis 8.4's msetexCommand): sets every key, or with NX/XX none unless all pass, with one
/// shared expiry; replies 1 when the keys were set, 0 when a condition refused them.
///
/// How atomic it is here. As Redis Cluster does, the keys must share a slot (else CROSSSLOT); the
/// command then runs on the silo serving that slot with the slot held for it alone (SlotTurn):
/// it checks every key and writes every key with no other command of the slot in between, and
/// its writes are stored only if the backup took them all, so it is atomic and all-or-nothing as
/// in Redis. Without a cluster (a bare gateway in tests) it takes the slot's lock instead.
/// </summary>
internal sealed class MSetExCommands(KeyCaller keys, StringOptionParser options, SlotTurn? slotTurn)
{
    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(5);

    private readonly SlotLocks _slotLocks = new();

    public ValueTask<KvReply> MSetExAsync(CommandContext context, RespRequest request)
    {
        // Redis Cluster looks at the keys before the command runs: keys it can find in several
        // slots are CROSSSLOT before any error of the command itself.
        var slot = KeySlot.Of(request[2]);
        if (CommandKeys.TryFindPairKeys(request, out var lastKey) && !CommandKeys.SameSlot(request, 4, lastKey, 2, slot))
        {
            // The same check as the router's (CommandKeys.SpansSlots), also without a cluster: the slot lock below
            // is what makes MSETEX all-or-nothing, and it covers one slot.
            return Replies.Error(ErrorTexts.CrossSlot);
        }

        if (!RespNumber.TryParseInt64(request[1], out var pairs) || pairs < 1 || pairs > int.MaxValue)
        {
            return Replies.Error(ErrorTexts.InvalidNumKeys);
        }

        if ((pairs * 2) + 2 > request.Count)
        {
            return Replies.Error(ErrorTexts.WrongKeyValuePairs);
        }

        if (!StringOptionParser.TryParse(request, ((int)pairs * 2) + 2, StringOptionParser.Grammar.MSetEx, out var flags, out var expireIndex, out _))
        {
            return Replies.Error(ErrorTexts.Syntax);
        }

        if (!options.TryGetExpiry(request, flags, expireIndex, "msetex", out var expiry, out var deadline, out var error))
        {
            return Replies.Error(error);
        }

        var write = new MSetExWrite((int)pairs, StringOptionParser.ToSetCondition(flags), expiry, deadline);
        if (context.InScript)
        {
            // Inside a script's turn: every key must be the script's own key, and then checking and
            // writing in this turn is atomic by itself. Refuse before writing anything.
            for (var i = 0; i < write.Pairs; i++)
            {
                if (context.FindKey(request[2 + (2 * i)]) is null)
                {
                    return Replies.Error(context.SlotKeys is null ? ErrorTexts.ScriptKeyNotDeclared : ErrorTexts.ScriptKeyNotLocal);
                }
            }

            return CheckAndWriteAsync(context, request, write);
        }

        if (slotTurn is not null)
        {
            return slotTurn.RunAsync(slot, held => CheckAndWrite(held, request, write), SlotWait);
        }

        return CheckAndWriteLockedAsync(context, request, write, slot);
    }

    /// <summary>With the slot held: NX/XX over every key, then every write, each key's operations at hand.</summary>
    private static KvReply CheckAndWrite(SlotKeys held, RespRequest request, MSetExWrite write)
    {
        if (write.Condition != SetCondition.Always)
        {
            for (var i = 0; i < write.Pairs; i++)
            {
                if ((held.Find(request[2 + (2 * i)])!.Exists() == 1) != (write.Condition == SetCondition.IfExists))
                {
                    return KvReply.Zero;
                }
            }
        }

        for (var i = 0; i < write.Pairs; i++)
        {
            var key = 2 + (2 * i);
            var reply = held.Find(request[key])!.Set(new SetRequest(request.ToArray(key + 1), SetCondition.Always, write.Expiry, write.DeadlineMs, ReturnOld: false));
            if (reply.IsError)
            {
                return reply;
            }
        }

        return KvReply.One;
    }

    private async ValueTask<KvReply> CheckAndWriteLockedAsync(CommandContext context, RespRequest request, MSetExWrite write, int slot)
    {
        await _slotLocks.EnterAsync(slot);
        try
        {
            return await CheckAndWriteAsync(context, request, write);
        }
        finally
        {
            _slotLocks.Exit(slot);
        }
    }

    /// <summary>
    /// NX/XX over every key first (Redis: lookupKeyWrite, any type counts as existing), then the
    /// writes in argument order (a repeated key ends with its last value). The request buffer stays
    /// untouched until the reply is written, so the keys are read from it after each await.
    /// </summary>
    private async ValueTask<KvReply> CheckAndWriteAsync(CommandContext context, RespRequest request, MSetExWrite write)
    {
        if (write.Condition != SetCondition.Always)
        {
            for (var i = 0; i < write.Pairs; i++)
            {
                var exists = await keys.InvokeAsync(context, request[2 + (2 * i)], default(ExistsCall));
                if (exists.IsError)
                {
                    return exists;
                }

                if ((exists.Integer == 1) != (write.Condition == SetCondition.IfExists))
                {
                    return KvReply.Zero;
                }
            }
        }

        for (var i = 0; i < write.Pairs; i++)
        {
            var key = 2 + (2 * i);
            var set = new SetRequest(request.ToArray(key + 1), SetCondition.Always, write.Expiry, write.DeadlineMs, ReturnOld: false);
            var reply = await keys.InvokeAsync(context, request[key], new SetCall(set));
            if (reply.IsError)
            {
                return reply;
            }
        }

        return KvReply.One;
    }

    /// <summary>What MSETEX writes: the pair count, NX/XX, and the shared expiry.</summary>
    private readonly record struct MSetExWrite(int Pairs, SetCondition Condition, ExpiryMode Expiry, long DeadlineMs);
}

using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// EVAL, EVALSHA, SCRIPT. A script whose KEYS are one key runs inside that key's grain turn, so
/// the compare-and-delete unlock script is atomic and cheap; one whose KEYS are several keys of
/// one slot runs with the whole slot held for it (<see cref="SlotTurn"/>), atomic over every key
/// of the slot; keys of several slots are refused as Redis Cluster refuses them (CROSSSLOT); a
/// script without keys runs outside any grain. Its redis.calls come back through
/// <see cref="CommandExecutor.ExecuteInScript"/>.
/// </summary>
internal sealed class ScriptingCommands(CommandExecutor executor, IKeyInvoker invoker, LuaScriptEngine scripts, SiloFanOut fanOut, SlotTurn? slotTurn, AclUsers users)
{
    // How long a script over a slot waits for the slot (a fill, another such script, a hand-over).
    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(5);

    // A script's commands were authenticated with the EVAL that started it.
    private static readonly ClientSession ScriptSession = new(0, null, null, 0, authenticated: true) { Name = "script" };

    public ValueTask<KvReply> EvalAsync(CommandContext context, RespRequest request) =>
        RunScript(context, request, request.ToArray(1), function: null);

    /// <summary>FCALL function numkeys key... arg...: runs where EVAL would, as one key's turn or over one slot.</summary>
    public ValueTask<KvReply> FCallAsync(CommandContext context, RespRequest request) => CallFunction(context, request, readOnly: false);

    /// <summary>FCALL_RO: only functions flagged no-writes.</summary>
    public ValueTask<KvReply> FCallReadOnlyAsync(CommandContext context, RespRequest request) => CallFunction(context, request, readOnly: true);

    private ValueTask<KvReply> CallFunction(CommandContext context, RespRequest request, bool readOnly)
    {
        var function = scripts.FindFunction(System.Text.Encoding.UTF8.GetString(request[1]));
        if (function is null)
        {
            return Replies.Error(ErrorTexts.FunctionNotFound);
        }

        if (readOnly && !function.NoWrites)
        {
            return Replies.Error("ERR Can not execute a script with write flag using *_ro command.");
        }

        return RunScript(context, request, [], function.Name);
    }

    public ValueTask<KvReply> EvalShaAsync(CommandContext context, RespRequest request)
    {
        if (!scripts.TryGetBody(request[1], out var body))
        {
            return Replies.Error(ErrorTexts.NoScript);
        }

        return RunScript(context, request, body, function: null);
    }

    /// <summary>A script (<paramref name="body"/>) or a function (<paramref name="function"/>), with numkeys at 2.</summary>
    private ValueTask<KvReply> RunScript(CommandContext context, RespRequest request, byte[] body, string? function)
    {
        if (!RespNumber.TryParseInt64(request[2], out var keyCount))
        {
            return Replies.Error(ErrorTexts.NotInteger);
        }

        if (keyCount < 0)
        {
            return Replies.Error(ErrorTexts.NegativeKeys);
        }

        if (keyCount > request.Count - 3)
        {
            return Replies.Error(ErrorTexts.TooManyKeys);
        }

        var keys = new byte[keyCount][];
        var oneKey = true;
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = request.ToArray(3 + i);
            oneKey &= keys[i].AsSpan().SequenceEqual(keys[0]);
        }

        var args = new byte[request.Count - 3 - keyCount][];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = request.ToArray(3 + (int)keyCount + i);
        }

        if (keyCount == 0)
        {
            var outside = new CommandContext(context.Session) { InScript = true, ReadOnlyScript = IsReadOnly(function), InTransaction = function == TransactionCommands.Marker };
            return new(Invoke(body, function, keys, args, outside));
        }

        // A transaction's queue may touch any key of its slot: it always runs over the slot.
        if (oneKey && (function != TransactionCommands.Marker || slotTurn is null))
        {
            return invoker.InvokeAsync(keys[0], new EvalCall(new ScriptRequest(body, keys, args, function)));
        }

        // Several keys: one slot, held for the script (a bare gateway without a cluster has no
        // slot table to hold, and refuses them as before).
        var slot = KeySlot.Of(keys[0]);
        if (slotTurn is null || keys.Any(k => KeySlot.Of(k) != slot))
        {
            return Replies.Error(ErrorTexts.CrossSlot);
        }

        return slotTurn.RunAsync(slot, held => RunOverSlot(held, body, function, keys, args), SlotWait);
    }

    /// <summary>A script over several keys of one slot, with the slot held: its commands run on any key of the slot.</summary>
    private KvReply RunOverSlot(SlotKeys held, byte[] body, string? function, byte[][] keys, byte[][] args)
    {
        var inside = new CommandContext(ScriptSession) { SlotKeys = held, InScript = true, ReadOnlyScript = IsReadOnly(function), ScriptUser = users.CallerFromRequestContext(), InTransaction = function == TransactionCommands.Marker };
        return Invoke(body, function, keys, args, inside);
    }

    private KvReply Invoke(byte[] body, string? function, byte[][] keys, byte[][] args, CommandContext inside) => function switch
    {
        null => scripts.Run(body, keys, args, command => executor.ExecuteInScript(inside, command)),
        TransactionCommands.Marker => TransactionCommands.Run(body, command => executor.ExecuteInScript(inside, command), command => executor.RecheckQueued(inside.ScriptUser ?? inside.Session.User, command)),
        _ => scripts.CallFunction(function, keys, args, command => executor.ExecuteInScript(inside, command)),
    };

    /// <summary>EXEC's queue where its slot lives (the internal __kv_exec: EVAL's layout, the queue as the body).</summary>
    public ValueTask<KvReply> RunTransactionAsync(CommandContext context, RespRequest request) =>
        RunScript(context, request, request.ToArray(1), TransactionCommands.Marker);

    // A function flagged no-writes may not write, under FCALL as under FCALL_RO.
    private bool IsReadOnly(string? function) => function is not null && scripts.FindFunction(function) is { NoWrites: true };

    /// <summary>
    /// A script with keys, inside its key's turn (the key grain calls this): its commands run on
    /// that key's <see cref="KeyOperations"/>, as a client authenticated by the script's caller.
    /// </summary>
    public KvReply Run(KeyOperations key, in ScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(key);
        var inside = new CommandContext(ScriptSession) { Grain = key, InScript = true, ReadOnlyScript = IsReadOnly(request.Function), ScriptUser = users.CallerFromRequestContext(), InTransaction = request.Function == TransactionCommands.Marker };
        return Invoke(request.Body, request.Function, request.Keys, request.Arguments, inside);
    }

    public async ValueTask<KvReply> ScriptLoadAsync(CommandContext context, RespRequest request)
    {
        // Every silo caches the script, so EVALSHA works whichever silo owns the key.
        var body = request.ToArray(2);
        var replies = await fanOut.OnEverySiloAsync(LocalOperation.ScriptLoad, w => w.WriteBytes(body));
        return replies.FirstOrDefault(r => r.IsError && !r.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal)) is { IsError: true } error
            ? error
            : scripts.Load(body);
    }

    public ValueTask<KvReply> ScriptExistsAsync(CommandContext context, RespRequest request)
    {
        var found = new KvReply[request.Count - 2];
        for (var i = 2; i < request.Count; i++)
        {
            found[i - 2] = scripts.Exists(request[i]) ? KvReply.One : KvReply.Zero;
        }

        return new(KvReply.FromArray(found));
    }

    public ValueTask<KvReply> ScriptFlushAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 3 && !Is(request[2], "async"u8) && !Is(request[2], "sync"u8))
        {
            return Replies.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        }

        if (request.Count > 3)
        {
            return Replies.Error(ErrorTexts.WrongArity("script|flush"));
        }

        return FlushScriptsEverywhereAsync();
    }

    private async ValueTask<KvReply> FlushScriptsEverywhereAsync()
    {
        await fanOut.OnEverySiloAsync(LocalOperation.ScriptFlush);
        scripts.Flush();
        return KvReply.Ok;
    }

    public static ValueTask<KvReply> ScriptKillAsync(CommandContext context, RespRequest request) =>
        Replies.Error("NOTBUSY No scripts in execution right now.");
}

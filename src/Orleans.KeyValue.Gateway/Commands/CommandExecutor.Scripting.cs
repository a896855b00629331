using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

// EVAL, EVALSHA, SCRIPT. A script runs inside the turn of the one grain its KEYS name, so the
// compare-and-delete unlock script is atomic; keys of several grains are refused as Redis
// Cluster refuses keys of several slots; a script without keys runs outside any grain.
public sealed partial class CommandExecutor
{
    // A script's commands were authenticated with the EVAL that started it.
    private static readonly ClientSession ScriptSession = new(0, null, null, 0, authenticated: true) { Name = "script" };

    [ThreadStatic]
    private static RespRequest? t_scriptRequest;

    private ValueTask<KvReply> EvalAsync(CommandContext context, RespRequest request) =>
        RunScript(context, request, request.ToArray(1));

    private ValueTask<KvReply> EvalShaAsync(CommandContext context, RespRequest request)
    {
        if (!_scripts.TryGetBody(request[1], out var body))
        {
            return Error(ErrorTexts.NoScript);
        }

        return RunScript(context, request, body);
    }

    private ValueTask<KvReply> RunScript(CommandContext context, RespRequest request, byte[] body)
    {
        if (!RespNumber.TryParseInt64(request[2], out var keyCount))
        {
            return Error(ErrorTexts.NotInteger);
        }

        if (keyCount < 0)
        {
            return Error(ErrorTexts.NegativeKeys);
        }

        if (keyCount > request.Count - 3)
        {
            return Error(ErrorTexts.TooManyKeys);
        }

        var keys = new byte[keyCount][];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = request.ToArray(3 + i);
            if (i > 0 && !keys[i].AsSpan().SequenceEqual(keys[0]))
            {
                return Error(ErrorTexts.CrossSlot);
            }
        }

        var args = new byte[request.Count - 3 - keyCount][];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = request.ToArray(3 + (int)keyCount + i);
        }

        if (keyCount == 0)
        {
            var outside = new CommandContext(context.Session) { InScript = true };
            return new(_scripts.Run(body, keys, args, command => ExecuteFromScript(outside, command)));
        }

        return _invoker.InvokeAsync(keys[0], new EvalCall(new ScriptRequest(body, keys, args)));
    }

    /// <summary>
    /// A script with keys, inside its key's turn (the key grain calls this): its commands run on
    /// that key's <see cref="KeyOperations"/>, as a client authenticated by the script's caller.
    /// </summary>
    public KvReply Run(KeyOperations key, in ScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(key);
        var inside = new CommandContext(ScriptSession) { Grain = key, InScript = true };
        return _scripts.Run(request.Body, request.Keys, request.Arguments, command => ExecuteFromScript(inside, command));
    }

    /// <summary>One redis.call: runs synchronously, inside the script's turn.</summary>
    private KvReply ExecuteFromScript(CommandContext context, byte[][] command)
    {
        var request = t_scriptRequest ??= new RespRequest();
        request.Reset();
        foreach (var argument in command)
        {
            request.Add(argument);
        }

        var pending = ExecuteAsync(context, request);

        // Every command a script may call finishes inside the turn: grain methods are synchronous.
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new InvalidOperationException("A command called from a script did not complete synchronously.");
    }

    private async ValueTask<KvReply> ScriptLoadAsync(CommandContext context, RespRequest request)
    {
        // Every silo caches the script, so EVALSHA works whichever silo owns the key.
        var body = request.ToArray(2);
        var replies = await OnEverySiloAsync(Cluster.LocalOperation.ScriptLoad, w => w.WriteBytes(body));
        return replies.FirstOrDefault(r => r.IsError && !r.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal)) is { IsError: true } error
            ? error
            : _scripts.Load(body);
    }

    private ValueTask<KvReply> ScriptExistsAsync(CommandContext context, RespRequest request)
    {
        var found = new KvReply[request.Count - 2];
        for (var i = 2; i < request.Count; i++)
        {
            found[i - 2] = _scripts.Exists(request[i]) ? KvReply.One : KvReply.Zero;
        }

        return new(KvReply.FromArray(found));
    }

    private ValueTask<KvReply> ScriptFlushAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 3 && !Is(request[2], "async"u8) && !Is(request[2], "sync"u8))
        {
            return Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        }

        if (request.Count > 3)
        {
            return Error(ErrorTexts.WrongArity("script|flush"));
        }

        return FlushScriptsEverywhereAsync();
    }

    private async ValueTask<KvReply> FlushScriptsEverywhereAsync()
    {
        await OnEverySiloAsync(Cluster.LocalOperation.ScriptFlush);
        _scripts.Flush();
        return KvReply.Ok;
    }

    private ValueTask<KvReply> ScriptKillAsync(CommandContext context, RespRequest request) =>
        Error("NOTBUSY No scripts in execution right now.");

}

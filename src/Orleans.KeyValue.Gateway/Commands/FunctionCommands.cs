using System.Text;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// Redis 7.0 functions: FUNCTION LOAD, LIST, DELETE, FLUSH, STATS, DUMP, RESTORE, KILL (FCALL and
/// FCALL_RO run in <see cref="ScriptingCommands"/>). A change reaches every active silo, as
/// SCRIPT LOAD does, so a function runs wherever its keys live.
/// </summary>
internal sealed class FunctionCommands(LuaScriptEngine scripts, SiloFanOut fanOut)
{
    private static readonly KvReply Lua = KvReply.FromBulk("LUA"u8.ToArray());

    /// <summary>FUNCTION LOAD [REPLACE] code.</summary>
    public async ValueTask<KvReply> LoadAsync(CommandContext context, RespRequest request)
    {
        var replace = false;
        var position = 2;
        for (; position < request.Count - 1; position++)
        {
            if (!Is(request[position], "replace"u8))
            {
                return KvReply.FromError("ERR Unknown option given: " + Text(request[position]));
            }

            replace = true;
        }

        var code = request.ToArray(position);
        var replies = await fanOut.OnEverySiloAsync(LocalOperation.FunctionLoad, w =>
        {
            w.WriteByte(replace ? (byte)1 : (byte)0);
            w.WriteBytes(code);
        });
        return FirstErrorOr(replies, replies.FirstOrDefault(r => !r.IsError));
    }

    /// <summary>FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].</summary>
    public ValueTask<KvReply> ListAsync(CommandContext context, RespRequest request)
    {
        var withCode = false;
        byte[]? pattern = null;
        for (var i = 2; i < request.Count; i++)
        {
            if (!withCode && Is(request[i], "withcode"u8))
            {
                withCode = true;
                continue;
            }

            if (pattern is null && Is(request[i], "libraryname"u8))
            {
                if (i >= request.Count - 1)
                {
                    return Replies.Error("ERR library name argument was not given");
                }

                pattern = request.ToArray(++i);
                continue;
            }

            return Replies.Error("ERR Unknown argument " + Text(request[i]));
        }

        var libraries = new List<KvReply>();
        foreach (var library in scripts.Libraries)
        {
            if (pattern is not null && !GlobPattern.IsMatch(pattern, Encoding.UTF8.GetBytes(library.Name), ignoreCase: true))
            {
                continue;
            }

            var functions = library.Functions.Select(f => KvReply.FromMap([
                Bulk("name"), Bulk(f.Name),
                Bulk("description"), f.Description is null ? KvReply.Nil : Bulk(f.Description),
                Bulk("flags"), KvReply.FromSet([.. f.Flags.Select(KvReply.FromStatus)]),
            ])).ToArray();
            var fields = new List<KvReply> { Bulk("library_name"), Bulk(library.Name), Bulk("engine"), Lua, Bulk("functions"), KvReply.FromArray(functions) };
            if (withCode)
            {
                fields.Add(Bulk("library_code"));
                fields.Add(KvReply.FromBulk(library.Code));
            }

            libraries.Add(KvReply.FromMap([.. fields]));
        }

        return new(KvReply.FromArray([.. libraries]));
    }

    /// <summary>FUNCTION DELETE library-name.</summary>
    public async ValueTask<KvReply> DeleteAsync(CommandContext context, RespRequest request)
    {
        var name = Text(request[2]);
        var replies = await fanOut.OnEverySiloAsync(LocalOperation.FunctionDelete, w => w.WriteString(name));
        return FirstErrorOr(replies, KvReply.Ok);
    }

    /// <summary>FUNCTION FLUSH [ASYNC|SYNC].</summary>
    public async ValueTask<KvReply> FlushAsync(CommandContext context, RespRequest request)
    {
        if (request.Count > 3 || (request.Count == 3 && !Is(request[2], "async"u8) && !Is(request[2], "sync"u8)))
        {
            return KvReply.FromError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }

        var replies = await fanOut.OnEverySiloAsync(LocalOperation.FunctionFlush);
        return FirstErrorOr(replies, KvReply.Ok);
    }

    /// <summary>FUNCTION STATS: no script is ever running when a command is answered here.</summary>
    public ValueTask<KvReply> StatsAsync(CommandContext context, RespRequest request)
    {
        var libraries = scripts.Libraries;
        var lua = KvReply.FromMap([
            Bulk("libraries_count"), KvReply.FromInteger(libraries.Count),
            Bulk("functions_count"), KvReply.FromInteger(libraries.Sum(l => l.Functions.Count)),
        ]);
        return new(KvReply.FromMap([Bulk("running_script"), KvReply.Nil, Bulk("engines"), KvReply.FromMap([Lua, lua])]));
    }

    /// <summary>FUNCTION DUMP: the libraries as Redis's payload (see <see cref="FunctionDump"/>).</summary>
    public ValueTask<KvReply> DumpAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromBulk(FunctionDump.Encode(scripts.Libraries.Select(l => l.Code))));

    /// <summary>FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].</summary>
    public async ValueTask<KvReply> RestoreAsync(CommandContext context, RespRequest request)
    {
        if (request.Count > 4)
        {
            return KvReply.FromError(ErrorTexts.UnknownSubcommand(request[1], "function"));
        }

        var policy = "APPEND";
        if (request.Count == 4)
        {
            policy = Is(request[3], "flush"u8) ? "FLUSH" : Is(request[3], "append"u8) ? "APPEND" : Is(request[3], "replace"u8) ? "REPLACE" : string.Empty;
            if (policy.Length == 0)
            {
                return KvReply.FromError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            }
        }

        var payload = request.ToArray(2);
        if (!FunctionDump.TryDecode(payload, out _, out var error))
        {
            return KvReply.FromError(error);
        }

        var replies = await fanOut.OnEverySiloAsync(LocalOperation.FunctionRestore, w =>
        {
            w.WriteString(policy);
            w.WriteBytes(payload);
        });
        return FirstErrorOr(replies, KvReply.Ok);
    }

    public static ValueTask<KvReply> KillAsync(CommandContext context, RespRequest request) =>
        Replies.Error("NOTBUSY No scripts in execution right now.");

    private static KvReply Bulk(string text) => KvReply.FromBulk(Encoding.UTF8.GetBytes(text));

    /// <summary>The first error a silo answered (a silo in transition's TRYAGAIN aside), else <paramref name="ok"/>.</summary>
    private static KvReply FirstErrorOr(List<KvReply> replies, KvReply ok) =>
        replies.FirstOrDefault(r => r.IsError && !r.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal)) is { IsError: true } error ? error : ok;
}

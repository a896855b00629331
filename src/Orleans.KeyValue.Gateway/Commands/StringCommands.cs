using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>The string commands: SET and its family, GET, GETDEL, GETEX, and Redis 8.4's DELEX and DIGEST.</summary>
internal sealed class StringCommands(KeyCaller keys, StringOptionParser options)
{
    public ValueTask<KvReply> GetAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], default(GetCall));

    public ValueTask<KvReply> SetAsync(CommandContext context, RespRequest request)
    {
        if (!StringOptionParser.TryParse(request, 3, StringOptionParser.Grammar.Set, out var flags, out var expireIndex, out var matchIndex))
        {
            return Replies.Error(ErrorTexts.Syntax);
        }

        if (!options.TryGetExpiry(request, flags, expireIndex, "set", out var expiry, out var deadline, out var error))
        {
            return Replies.Error(error);
        }

        var compare = StringOptionParser.ToValueCondition(flags);
        var set = new SetRequest(
            request.ToArray(2),
            StringOptionParser.ToSetCondition(flags),
            expiry,
            deadline,
            (flags & SetFlags.Get) != 0,
            compare,
            compare == ValueCondition.None ? null : request.ToArray(matchIndex));
        return keys.InvokeAsync(context, request[1], new SetCall(set));
    }

    public async ValueTask<KvReply> SetNxAsync(CommandContext context, RespRequest request)
    {
        var set = new SetRequest(request.ToArray(2), SetCondition.IfNotExists, ExpiryMode.Clear, 0, ReturnOld: false);
        var reply = await keys.InvokeAsync(context, request[1], new SetCall(set));
        return reply.Kind == KvReplyKind.Ok ? KvReply.One : reply.Kind == KvReplyKind.Nil ? KvReply.Zero : reply;
    }

    public ValueTask<KvReply> SetExAsync(CommandContext context, RespRequest request) =>
        SetWithExpire(context, request, SetFlags.Ex, "setex");

    public ValueTask<KvReply> PSetExAsync(CommandContext context, RespRequest request) =>
        SetWithExpire(context, request, SetFlags.Px, "psetex");

    private ValueTask<KvReply> SetWithExpire(CommandContext context, RespRequest request, SetFlags unit, string command)
    {
        if (!options.TryGetDeadline(request[2], unit, command, out var deadline, out var error))
        {
            return Replies.Error(error);
        }

        var set = new SetRequest(request.ToArray(3), SetCondition.Always, ExpiryMode.At, deadline, ReturnOld: false);
        return keys.InvokeAsync(context, request[1], new SetCall(set));
    }

    public ValueTask<KvReply> GetDelAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], default(GetDeleteCall));

    public ValueTask<KvReply> GetExAsync(CommandContext context, RespRequest request)
    {
        if (!StringOptionParser.TryParse(request, 2, StringOptionParser.Grammar.GetEx, out var flags, out var expireIndex, out _))
        {
            return Replies.Error(ErrorTexts.Syntax);
        }

        GetExRequest getEx;
        if ((flags & SetFlags.AnyExpire) != 0)
        {
            // Redis checks the value only once it found the key: the grain answers the error.
            getEx = options.TryGetDeadline(request[expireIndex], flags, "getex", out var deadline, out var error)
                ? new GetExRequest(ExpiryMode.At, deadline, null)
                : new GetExRequest(ExpiryMode.Keep, 0, error);
        }
        else
        {
            getEx = new GetExRequest((flags & SetFlags.Persist) != 0 ? ExpiryMode.Persist : ExpiryMode.Keep, 0, null);
        }

        return keys.InvokeAsync(context, request[1], new GetExCall(getEx));
    }

    /// <summary>
    /// DELEX key [IFEQ v | IFNE v | IFDEQ d | IFDNE d] (Redis 8.4). Since redis/redis#14529 (in 8.4.0)
    /// a count other than "key" or "key condition value" is an arity error even for a missing key;
    /// everything else is decided in the grain's turn, in Redis's order (missing, type, condition
    /// name, digest length, comparison).
    /// </summary>
    public ValueTask<KvReply> DelExAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return keys.InvokeAsync(context, request[1], new DeleteIfCall(default));
        }

        if (request.Count != 4)
        {
            return Replies.Error(ErrorTexts.WrongArity("delex"));
        }

        var condition = ParseValueCondition(request[2]);
        var delete = condition == ValueCondition.None
            ? new DeleteIfRequest(ValueCondition.None, null, ErrorTexts.InvalidDelexCondition)
            : new DeleteIfRequest(condition, request.ToArray(3), null);
        return keys.InvokeAsync(context, request[1], new DeleteIfCall(delete));
    }

    public ValueTask<KvReply> DigestAsync(CommandContext context, RespRequest request) =>
        keys.InvokeAsync(context, request[1], default(DigestCall));

    private static ValueCondition ParseValueCondition(ReadOnlySpan<byte> name) =>
        Is(name, "ifeq"u8) ? ValueCondition.IfEqual
        : Is(name, "ifne"u8) ? ValueCondition.IfNotEqual
        : Is(name, "ifdeq"u8) ? ValueCondition.IfDigestEqual
        : Is(name, "ifdne"u8) ? ValueCondition.IfDigestNotEqual
        : ValueCondition.None;
}

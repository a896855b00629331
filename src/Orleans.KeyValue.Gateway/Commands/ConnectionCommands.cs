using System.Globalization;
using System.Text;
using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, CLIENT.</summary>
internal sealed class ConnectionCommands(AclUsers users, ClientRegistry clients, KeyGrainServices keys)
{
    /// <summary>True when a new connection must AUTH first: the default user is off or has passwords (Redis's authRequired).</summary>
    public bool RequiresPassword => !users.Default.OpensWithoutPassword;

    private static readonly KvReply Pong = KvReply.FromStatus("PONG");

    public static ValueTask<KvReply> PingAsync(CommandContext context, RespRequest request) => request.Count switch
    {
        1 => new(Pong),
        2 => new(KvReply.FromBulk(request.ToArray(1))),
        _ => Replies.Error(ErrorTexts.WrongArity("ping")),
    };

    public static ValueTask<KvReply> EchoAsync(CommandContext context, RespRequest request) => new(KvReply.FromBulk(request.ToArray(1)));

    public static ValueTask<KvReply> QuitAsync(CommandContext context, RespRequest request)
    {
        context.Session.CloseRequested = true;
        return new(KvReply.Ok);
    }

    public static ValueTask<KvReply> SelectAsync(CommandContext context, RespRequest request)
    {
        if (!RespNumber.TryParseInt64(request[1], out var index) || index is < int.MinValue or > int.MaxValue)
        {
            return Replies.Error(ErrorTexts.NotInteger);
        }

        // One keyspace, as a Redis Cluster has: database 0 only.
        return index == 0 ? new(KvReply.Ok) : Replies.Error(ErrorTexts.DbIndexOutOfRange);
    }

    public ValueTask<KvReply> AuthAsync(CommandContext context, RespRequest request)
    {
        if (request.Count > 3)
        {
            return Replies.Error(ErrorTexts.Syntax);
        }

        // Redis's authCommand: the one-argument form names the default user, and is refused
        // while the default user takes any password (nopass).
        if (request.Count == 2 && users.Default.State.NoPass)
        {
            return Replies.Error(ErrorTexts.AuthNotConfigured);
        }

        var user = request.Count == 3 ? request[1] : "default"u8;
        if (!Authenticate(context.Session, user, request[request.Count - 1]))
        {
            return Replies.Error(ErrorTexts.WrongPass);
        }

        return new(KvReply.Ok);
    }

    /// <summary>Redis's ACLAuthenticateUser: on success the connection runs as the user from now on.</summary>
    private bool Authenticate(ClientSession session, ReadOnlySpan<byte> user, ReadOnlySpan<byte> password)
    {
        if (users.Authenticate(user, password) is not { } found)
        {
            return false;
        }

        session.User = found;
        session.Authenticated = true;
        return true;
    }

    public ValueTask<KvReply> HelloAsync(CommandContext context, RespRequest request)
    {
        var session = context.Session;
        var protocol = session.Protocol;
        if (request.Count >= 2)
        {
            if (!RespNumber.TryParseInt64(request[1], out var version))
            {
                return Replies.Error(ErrorTexts.ProtocolVersionNotInteger);
            }

            if (version is < 2 or > 3)
            {
                return Replies.Error(ErrorTexts.NoProto);
            }

            protocol = (int)version;
        }

        string? name = null;
        var authAt = 0;
        for (var j = 2; j < request.Count; j++)
        {
            var more = request.Count - j - 1;
            if (Is(request[j], "auth"u8) && more >= 2)
            {
                authAt = j;
                j += 2;
            }
            else if (Is(request[j], "setname"u8) && more >= 1)
            {
                name = Text(request[j + 1]);
                if (!IsValidClientName(name))
                {
                    return Replies.Error(ErrorTexts.ClientNameInvalid);
                }

                j++;
            }
            else
            {
                return Replies.Error($"ERR Syntax error in HELLO option '{Text(request[j])}'");
            }
        }

        // Redis's helloCommand: every option is read first, then AUTH (the last one given) is tried.
        if (authAt > 0 && !Authenticate(session, request[authAt + 1], request[authAt + 2]))
        {
            return Replies.Error(ErrorTexts.WrongPass);
        }

        if (!session.Authenticated)
        {
            return Replies.Error(ErrorTexts.HelloNoAuth);
        }

        if (name is not null)
        {
            session.Name = name.Length == 0 ? null : name;
        }

        session.Protocol = protocol;
        return new(KvReply.FromMap(
        [
            KvReply.FromBulk("server"), KvReply.FromBulk("redis"),
            KvReply.FromBulk("version"), KvReply.FromBulk(CommandExecutor.RedisVersion),
            KvReply.FromBulk("proto"), KvReply.FromInteger(protocol),
            KvReply.FromBulk("id"), KvReply.FromInteger(session.Id),
            KvReply.FromBulk("mode"), KvReply.FromBulk("standalone"),
            KvReply.FromBulk("role"), KvReply.FromBulk("master"),
            KvReply.FromBulk("modules"), KvReply.FromArray([]),
        ]));
    }

    private static bool IsValidClientName(string name)
    {
        foreach (var c in name)
        {
            if (c < '!' || c > '~')
            {
                return false;
            }
        }

        return true;
    }

    public static ValueTask<KvReply> ClientSetNameAsync(CommandContext context, RespRequest request)
    {
        var name = Text(request[2]);
        if (!IsValidClientName(name))
        {
            return Replies.Error(ErrorTexts.ClientNameInvalid);
        }

        context.Session.Name = name.Length == 0 ? null : name;
        return new(KvReply.Ok);
    }

    public static ValueTask<KvReply> ClientGetNameAsync(CommandContext context, RespRequest request) =>
        new(context.Session.Name is { } name ? KvReply.FromBulk(name) : KvReply.Nil);

    public static ValueTask<KvReply> ClientIdAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromInteger(context.Session.Id));

    public ValueTask<KvReply> ClientInfoAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromVerbatim(DescribeClient(context.Session) + "\n"));

    public ValueTask<KvReply> ClientListAsync(CommandContext context, RespRequest request)
    {
        var text = new StringBuilder();
        foreach (var client in clients.Snapshot())
        {
            text.Append(DescribeClient(client)).Append('\n');
        }

        return new(KvReply.FromVerbatim(text.ToString()));
    }

    public static ValueTask<KvReply> ClientSetInfoAsync(CommandContext context, RespRequest request)
    {
        var value = Text(request[3]);
        if (Is(request[2], "lib-name"u8))
        {
            context.Session.LibraryName = value;
        }
        else if (Is(request[2], "lib-ver"u8))
        {
            context.Session.LibraryVersion = value;
        }
        else
        {
            return Replies.Error($"ERR Unrecognized option '{Text(request[2])}'");
        }

        return new(KvReply.Ok);
    }

    public static ValueTask<KvReply> ClientHelpAsync(CommandContext context, RespRequest request) => new(Replies.Help(
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST",
        "    Return information about client connections.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "HELP",
        "    Print this help."));

    private string DescribeClient(ClientSession client)
    {
        var now = keys.NowMs;
        return string.Create(CultureInfo.InvariantCulture,
            $"id={client.Id} addr={client.Remote} laddr={client.Local} fd=-1 name={client.Name} age={(now - client.ConnectedAtMs) / 1000} idle={(now - client.LastActivityMs) / 1000} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={client.LastCommand} user={client.User?.Name ?? AclUsers.DefaultName} redir=-1 resp={client.Protocol} lib-name={client.LibraryName} lib-ver={client.LibraryVersion}");
    }
}

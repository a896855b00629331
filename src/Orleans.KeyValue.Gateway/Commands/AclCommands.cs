using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// ACL WHOAMI, USERS, LIST, GETUSER, SETUSER, DELUSER, DRYRUN, CAT and HELP, with Redis 7.0's replies.
/// Every silo keeps its own copy of the users: SETUSER and DELUSER reach every silo active at
/// that moment, as SCRIPT LOAD and FUNCTION LOAD do, and each closes its own connections of a
/// deleted user.
/// </summary>
internal sealed class AclCommands(AclUsers users, SiloFanOut fanOut, Func<string, bool> served, Func<RespRequest, int, CommandDefinition?> find)
{
    public static ValueTask<KvReply> WhoAmIAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromBulk(context.Session.User?.Name ?? AclUsers.DefaultName));

    public ValueTask<KvReply> UsersAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromArray([.. users.All.Select(u => KvReply.FromBulk(u.Name))]));

    public ValueTask<KvReply> ListAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromArray([.. users.Describe().Select(KvReply.FromBulk)]));

    public ValueTask<KvReply> GetUserAsync(CommandContext context, RespRequest request)
    {
        if (users.Find(Text(request[2])) is not { } user)
        {
            return new(KvReply.Nil);
        }

        var state = user.State;
        return new(KvReply.FromMap(
        [
            KvReply.FromBulk("flags"), KvReply.FromSet([.. state.Flags().Select(KvReply.FromBulk)]),
            KvReply.FromBulk("passwords"), KvReply.FromArray([.. state.Passwords.Select(KvReply.FromBulk)]),
            KvReply.FromBulk("commands"), KvReply.FromBulk(state.DescribeCommands()),
            KvReply.FromBulk("keys"), KvReply.FromBulk(state.DescribeKeys()),
            KvReply.FromBulk("channels"), KvReply.FromBulk(state.DescribeChannels()),
            KvReply.FromBulk("selectors"), KvReply.FromArray([]),
        ]));
    }

    public async ValueTask<KvReply> SetUserAsync(CommandContext context, RespRequest request)
    {
        var name = Text(request[2]);
        if (AclUserState.HasSpaces(name))
        {
            return KvReply.FromError(AclTexts.SpacesInName);
        }

        var rules = new string[request.Count - 3];
        for (var i = 3; i < request.Count; i++)
        {
            rules[i - 3] = Text(request[i]);
        }

        // This silo first: a bad rule is answered without troubling the others.
        if (users.SetUser(name, rules) is { } error)
        {
            return KvReply.FromError(error);
        }

        var replies = await fanOut.OnEveryOtherSiloAsync(LocalOperation.AclSetUser, w =>
        {
            w.WriteString(name);
            w.WriteInt32(rules.Length);
            foreach (var rule in rules)
            {
                w.WriteString(rule);
            }
        });
        return replies.FirstOrDefault(r => r.IsError) is { IsError: true } failure ? failure : KvReply.Ok;
    }

    public async ValueTask<KvReply> DelUserAsync(CommandContext context, RespRequest request)
    {
        var names = new List<string>();
        for (var i = 2; i < request.Count; i++)
        {
            var name = Text(request[i]);
            if (name == AclUsers.DefaultName)
            {
                return KvReply.FromError(AclTexts.DefaultCannotBeRemoved);
            }

            names.Add(name);
        }

        // The connection asking gets its reply before it closes (Redis's CLIENT_CLOSE_AFTER_COMMAND).
        context.Session.KeepOpenForReply = true;
        try
        {
            var replies = await fanOut.OnEverySiloAsync(LocalOperation.AclDelUser, w =>
            {
                w.WriteInt32(names.Count);
                foreach (var name in names)
                {
                    w.WriteString(name);
                }
            });
            return replies.FirstOrDefault(r => r.IsError && !r.Text!.StartsWith("TRYAGAIN", StringComparison.Ordinal)) is { IsError: true } failure
                ? failure
                : KvReply.FromInteger(replies.Where(r => r.Kind == KvReplyKind.Integer).Select(r => r.Integer).DefaultIfEmpty(0).Max());
        }
        finally
        {
            context.Session.KeepOpenForReply = false;
        }
    }

    /// <summary>
    /// Redis's ACLFreeUserAndKillClients on this silo: the deleted users' connections run as
    /// default, unauthenticated, and close (the one that asked, once its reply is out).
    /// </summary>
    public static void CloseConnections(ClientRegistry clients, AclUsers users, IReadOnlyList<AclUser> removed)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(removed);
        foreach (var client in clients.Snapshot())
        {
            if (client.User is { } user && removed.Contains(user))
            {
                client.User = users.Default;
                client.Authenticated = false;
                if (client.KeepOpenForReply)
                {
                    client.CloseRequested = true;
                }
                else
                {
                    client.Kill?.Invoke();
                }
            }
        }
    }

    /// <summary>ACL DRYRUN user command [arg ...]: whether the user could run it (Redis 7.0's texts), without running it.</summary>
    public ValueTask<KvReply> DryRunAsync(CommandContext context, RespRequest request)
    {
        var name = Text(request[2]);
        if (users.Find(name) is not { } user)
        {
            return Replies.Error($"ERR User '{name}' not found");
        }

        if (find(request, 3) is not { } definition)
        {
            return Replies.Error($"ERR Command '{Text(request[3])}' not found");
        }

        var count = request.Count - 3;
        if (!definition.ArityAccepts(count))
        {
            return Replies.Error(ErrorTexts.WrongArity(definition.Name));
        }

        using var command = new RespRequest();
        for (var i = 3; i < request.Count; i++)
        {
            command.Add(request.ToArray(i));
        }

        return new(AclGuard.Check(user, definition, command, out var key) switch
        {
            AclVerdict.DeniedCommand => KvReply.FromBulk($"This user has no permissions to run the '{definition.Name}' command"),
            AclVerdict.DeniedKey => KvReply.FromBulk($"This user has no permissions to access the '{Text(command[key])}' key"),
            _ => KvReply.Ok,
        });
    }

    public ValueTask<KvReply> CatAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return new(KvReply.FromArray([.. AclCategories.Names.Select(KvReply.FromBulk)]));
        }

        if (request.Count > 3)
        {
            return Replies.Error($"ERR unknown subcommand or wrong number of arguments for '{Text(request[1])}'. Try ACL HELP.");
        }

        var category = Text(request[2]);
        if (AclCommandSpace.InCategory(category) is not { } ids)
        {
            return Replies.Error(AclTexts.UnknownCategory(category));
        }

        // Only the commands served here (Redis lists its own; the order is its hash table's).
        return new(KvReply.FromArray([.. ids.Select(AclCommandSpace.NameOf).Where(served).Select(KvReply.FromBulk)]));
    }

    public static ValueTask<KvReply> HelpAsync(CommandContext context, RespRequest request) => new(Replies.Help(
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "LIST",
        "    Show users details in config file format.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help."));
}

using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// COMMAND and its subcommands: they describe the command table itself (names, arities, flags,
/// key positions and docs, as Redis 7 reports them), so they read the table they belong to.
/// </summary>
internal sealed class CommandDocs(CommandTable table)
{
    public ValueTask<KvReply> CommandAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 1)
        {
            return new(KvReply.FromArray([.. table.Commands.Values.Select(DescribeCommand)]));
        }

        return new(KvReply.FromError(ErrorTexts.UnknownSubcommand(request[1], "command")));
    }

    public ValueTask<KvReply> CommandCountAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromInteger(table.Commands.Count));

    public ValueTask<KvReply> CommandListAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromArray([.. table.Commands.Keys.Select(KvReply.FromBulk)]));

    public ValueTask<KvReply> CommandInfoAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return new(KvReply.FromArray([.. table.Commands.Values.Select(DescribeCommand)]));
        }

        var replies = new KvReply[request.Count - 2];
        for (var i = 2; i < request.Count; i++)
        {
            replies[i - 2] = table.Find(request[i]) is { } definition ? DescribeCommand(definition) : KvReply.NilArray;
        }

        return new(KvReply.FromArray(replies));
    }

    public ValueTask<KvReply> CommandDocsAsync(CommandContext context, RespRequest request)
    {
        var selected = new List<CommandDefinition>();
        if (request.Count == 2)
        {
            selected.AddRange(table.Commands.Values);
        }
        else
        {
            for (var i = 2; i < request.Count; i++)
            {
                if (table.Find(request[i]) is { } definition)
                {
                    selected.Add(definition);
                }
            }
        }

        var items = new List<KvReply>();
        foreach (var definition in selected)
        {
            items.Add(KvReply.FromBulk(definition.Name));
            items.Add(DocumentCommand(definition));
        }

        return new(KvReply.FromMap([.. items]));
    }

    private static KvReply DocumentCommand(CommandDefinition definition)
    {
        var items = new List<KvReply>
        {
            KvReply.FromBulk("summary"), KvReply.FromBulk(definition.Summary),
            KvReply.FromBulk("since"), KvReply.FromBulk(definition.Since),
            KvReply.FromBulk("group"), KvReply.FromBulk(definition.Group),
        };
        if (definition.Subcommands is { } subcommands)
        {
            var docs = new List<KvReply>();
            foreach (var sub in subcommands.Values)
            {
                docs.Add(KvReply.FromBulk(sub.Name));
                docs.Add(DocumentCommand(sub));
            }

            items.Add(KvReply.FromBulk("subcommands"));
            items.Add(KvReply.FromMap([.. docs]));
        }

        return KvReply.FromMap([.. items]);
    }

    private static KvReply DescribeCommand(CommandDefinition definition) => KvReply.FromArray(
    [
        KvReply.FromBulk(definition.Name),
        KvReply.FromInteger(definition.Arity),
        KvReply.FromSet([.. definition.Flags.Select(KvReply.FromStatus)]),
        KvReply.FromInteger(definition.FirstKey),
        KvReply.FromInteger(definition.LastKey),
        KvReply.FromInteger(definition.Step),
        KvReply.FromSet([.. definition.AclCategories.Select(KvReply.FromStatus)]),
        KvReply.FromArray([]),
        KvReply.FromArray([]),
        KvReply.FromArray(definition.Subcommands is { } subs ? [.. subs.Values.Select(DescribeCommand)] : []),
    ]);

    public static ValueTask<KvReply> CommandHelpAsync(CommandContext context, RespRequest request) => new(Replies.Help(
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all commands.",
        "COUNT",
        "    Return the total number of commands in this server.",
        "LIST",
        "    Return a list of all commands in this server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple commands.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple commands.",
        "HELP",
        "    Print this help."));
}

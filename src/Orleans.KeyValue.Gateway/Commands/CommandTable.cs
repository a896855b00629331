using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The command table: every definition by name, found by the name's bytes without allocating,
/// containers' subcommands, and the checks Redis makes before a command runs, in Redis's order.
/// </summary>
internal sealed class CommandTable
{
    /// <summary>Longer names are no command of ours; the lookup copies a name to the stack.</summary>
    private const int MaxNameLength = 64;

    private readonly Dictionary<string, CommandDefinition> _commands;
    private readonly Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<char>> _byName;

    public CommandTable(
        StringCommands strings,
        StringTypeCommands stringType,
        HashCommands hashes,
        KeyCommands keys,
        MSetExCommands msetex,
        ScriptingCommands scripting,
        FunctionCommands functions,
        TransactionCommands transactions,
        ObjectCommands objects,
        ConnectionCommands connection,
        AclCommands acl,
        ServerCommands server,
        KeyspaceCommands keyspace,
        ClusterCommands cluster)
    {
        // COMMAND describes this table, so its handlers are made with it.
        _commands = CommandCatalog.Build(strings, stringType, hashes, keys, msetex, scripting, functions, transactions, objects, connection, acl, new CommandDocs(this), server, keyspace, cluster);
        _byName = _commands.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every top-level command, by lower-case name, in COMMAND's order.</summary>
    public IReadOnlyDictionary<string, CommandDefinition> Commands => _commands;

    /// <summary>The top-level command named <paramref name="name"/> (any case), or null.</summary>
    public CommandDefinition? Find(ReadOnlySpan<byte> name) => Find(_byName, name);

    /// <summary>
    /// Redis's processCommand checks, in its order: the name (then a container's subcommand), the
    /// arity, authentication, and whether a script may call it. <paramref name="definition"/> is
    /// what was found so far (also on failure, for the statistics: the container when its
    /// subcommand is unknown; null for an unknown name); <paramref name="error"/> is the refusal.
    /// Inside a script, unknown names and wrong arities get the script's texts, as Redis's
    /// luaRedisGenericCommand gives.
    /// </summary>
    public bool TryResolve(CommandContext context, RespRequest request, out CommandDefinition? definition, out KvReply error)
    {
        error = default;
        definition = Find(request[0]);
        if (definition is null)
        {
            error = KvReply.FromError(context.InScript ? ErrorTexts.UnknownScriptCommand : ErrorTexts.UnknownCommand(request));
            return false;
        }

        if (definition.Subcommands is not null && request.Count >= 2)
        {
            var sub = Find(definition.Subcommands.GetAlternateLookup<ReadOnlySpan<char>>(), request[1]);
            if (sub is null)
            {
                error = KvReply.FromError(ErrorTexts.UnknownSubcommand(request[1], definition.Name));
                return false;
            }

            definition = sub;
        }

        if (!definition.ArityAccepts(request.Count))
        {
            error = KvReply.FromError(context.InScript ? ErrorTexts.ScriptWrongArity : ErrorTexts.WrongArity(definition.Name));
            return false;
        }

        if (context.Session.AuthRequired && !definition.AllowedUnauthenticated)
        {
            error = KvReply.FromError(ErrorTexts.NoAuth);
            return false;
        }

        if (context.InScript && !definition.AllowedInScript)
        {
            error = KvReply.FromError(ErrorTexts.NotAllowedFromScript);
            return false;
        }

        return true;
    }

    private static CommandDefinition? Find(Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<char>> table, ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameLength)
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return table.TryGetValue(chars, out var found) ? found : null;
    }
}

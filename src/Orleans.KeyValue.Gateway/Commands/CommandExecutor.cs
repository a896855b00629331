using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The gateway's dispatcher. A command arrives one of three ways, each with its own entry point:
/// from a client (<see cref="ExecuteAsync"/>: may travel to its slot's owner), forwarded by
/// another silo (<see cref="ExecuteForwardedAsync"/>), or from a script's redis.call
/// (<see cref="ExecuteInScript"/>: runs at once on the script's turn). Each passes the
/// <see cref="CommandTable"/>'s checks, then its family's handler runs it: a key grain call or a
/// per-silo service.
/// </summary>
public sealed class CommandExecutor : IScriptHost
{
    /// <summary>The Redis version we answer as: the one whose semantics we match.</summary>
    public const string RedisVersion = "7.0.15";

    private static readonly ClientSession ForwardedSession = new(0, null, null, 0, authenticated: true) { Protocol = 3, Name = "silo" };

    [ThreadStatic]
    private static RespRequest? t_scriptRequest;

    private readonly CommandTable _table;
    private readonly ConnectionCommands _connection;
    private readonly ScriptingCommands _scripting;
    private readonly CommandRouter? _router;
    private readonly CommandDefinition _execDefinition;
    private readonly MemoryLimit _memory;
    private readonly Evictor _evictor;

    private static readonly KvReply OutOfMemoryReply = KvReply.FromError("OOM command not allowed when used memory > 'maxmemory'.");
    private long _commandsProcessed;

    public CommandExecutor(
        IKeyInvoker invoker,
        KeyGrainServices keys,
        LuaScriptEngine scripts,
        ClientRegistry clients,
        IOptions<RespGatewayOptions> options,
        ClusterRouter? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        var gateway = options.Value;
        _memory = keys.Memory;
        _evictor = new Evictor(keys, invoker);
        var caller = new KeyCaller(invoker);
        var stringOptions = new StringOptionParser(keys);
        var keyspace = new KeyspaceService(keys, cluster?.Slots);
        Users = new AclUsers(gateway.RequirePass, gateway.Users);
        var fanOut = new SiloFanOut(cluster, keyspace, scripts, Users, removed => AclCommands.CloseConnections(clients, Users, removed));
        var clusterCommands = new ClusterCommands(gateway, cluster);
        _connection = new ConnectionCommands(Users, clients, keys);
        var slotTurn = cluster is null ? null : new SlotTurn(keys, cluster.Slots, scripts: null);
        _scripting = new ScriptingCommands(this, invoker, scripts, fanOut, slotTurn, Users);
        _table = new CommandTable(
            new StringCommands(caller, stringOptions),
            new StringTypeCommands(caller, gateway, slotTurn),
            new HashCommands(caller),
            new KeyCommands(caller, keys),
            new MSetExCommands(caller, stringOptions, slotTurn),
            _scripting,
            new FunctionCommands(scripts, fanOut),
            new TransactionCommands(this),
            new ObjectCommands(caller, keys),
            _connection,
            new AclCommands(Users, fanOut, IsServed, FindCommand),
            new ServerCommands(gateway, clients, keys, fanOut, clusterCommands, () => CommandsProcessed),
            new KeyspaceCommands(fanOut, keyspace),
            clusterCommands);
        _router = cluster is null ? null : new CommandRouter(cluster, keys.Time, scripts, this);
        _execDefinition = new CommandDefinition
        {
            Name = TransactionCommands.ExecCommand,
            Arity = -4,
            Routing = KeyRouting.ScriptKeys,
            FirstKey = 3,
            LastKey = 3,
            Step = 1,
            Handler = _scripting.RunTransactionAsync,
        };
    }

    /// <summary>Every top-level command, by lower-case name.</summary>
    public IReadOnlyDictionary<string, CommandDefinition> Commands => _table.Commands;

    /// <summary>True when the command or subcommand <paramref name="fullName"/> (<c>container|sub</c>) is in the table.</summary>
    private bool IsServed(string fullName)
    {
        var bar = fullName.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return _table.Commands.ContainsKey(fullName);
        }

        return _table.Commands.TryGetValue(fullName[..bar], out var container) && container.Subcommands?.ContainsKey(fullName[(bar + 1)..]) == true;
    }

    /// <summary>
    /// The command a request names from argument <paramref name="at"/> (Redis's lookupCommand):
    /// a container's subcommand when one follows, the container alone when none does; null when unknown.
    /// </summary>
    private CommandDefinition? FindCommand(RespRequest request, int at)
    {
        var definition = _table.Find(request[at]);
        if (definition?.Subcommands is not { } subcommands || request.Count <= at + 1)
        {
            return definition;
        }

        var sub = System.Text.Encoding.UTF8.GetString(request[at + 1]);
        return subcommands.TryGetValue(sub, out var found) ? found : null;
    }

    /// <summary>Commands run since start.</summary>
    public long CommandsProcessed => Interlocked.Read(ref _commandsProcessed);

    /// <summary>True when a new connection must AUTH first.</summary>
    public bool RequiresPassword => _connection.RequiresPassword;

    /// <summary>This silo's ACL users.</summary>
    public AclUsers Users { get; }

    /// <summary>True when this executor is part of a cluster (false in tests of the gateway alone).</summary>
    public bool Clustered => _router is not null;

    internal CommandTable Table => _table;

    /// <summary>
    /// The one key slot a client's command touches, when it may start while earlier commands of
    /// its pipeline are still in flight (a key command whose keys share one slot); false for every
    /// other command (server, connection and multi-slot commands), which waits for them.
    /// </summary>
    public bool TryGetPipelineSlot(RespRequest request, out int slot)
    {
        ArgumentNullException.ThrowIfNull(request);
        slot = -1;
        var definition = _table.Find(request[0]);
        if (definition is null || definition.Subcommands is not null || !CommandKeys.TryGetRoutingKey(definition, request, out var keyIndex))
        {
            return false;
        }

        slot = KeySlot.Of(request[keyIndex]);
        return !CommandKeys.SpansSlots(definition, request, slot);
    }

    /// <summary>Runs a client's command: where its key's slot is served, which may be another silo.</summary>
    public ValueTask<KvReply> ExecuteAsync(CommandContext context, RespRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var transaction = context.Session.Transaction;
        if (!Admit(context, request, out var definition, out var error))
        {
            // A refused command inside MULTI makes EXEC abort (Redis's flagTransaction).
            if (transaction is not null && !TransactionCommands.IsControl(request[0]))
            {
                transaction.Failed = true;
            }

            return new(error);
        }

        // Redis's processCommand: the ACL check after authentication, before memory; inside MULTI
        // at queue time (and a refused command makes EXEC abort).
        if (context.Session.User is { } user && AclGuard.Check(user, definition, request) is var verdict and not AclVerdict.Allowed)
        {
            if (transaction is not null && !TransactionCommands.IsControl(request[0]))
            {
                transaction.Failed = true;
            }

            var text = AclGuard.ErrorText(verdict, definition);
            if (Arguments.Is(request[0], "exec"u8))
            {
                // Redis's rejectCommand on EXEC (execCommandAbort): the transaction is discarded.
                context.Session.Transaction = null;
                context.Session.Watched = null;
                return new(KvReply.FromError("EXECABORT Transaction discarded because of: " + text));
            }

            return new(KvReply.FromError(text));
        }

        context.Session.LastCommand = definition.Name;
        // Inside MULTI every command but EXEC, DISCARD, QUIT and RESET counts (queueing grows memory too).
        var queues = transaction is not null && !(Arguments.Is(request[0], "exec"u8) || Arguments.Is(request[0], "discard"u8) || Arguments.Is(request[0], "quit"u8) || Arguments.Is(request[0], "reset"u8));
        if (MayGrowMemory(definition, queues))
        {
            // Redis's processCommand: a command that may grow memory, past maxmemory, first makes
            // room as the policy says, or answers OOM (and inside MULTI makes EXEC abort).
            var room = _evictor.MakeRoomAsync();
            if (!room.IsCompletedSuccessfully)
            {
                return WhenRoomAsync(room, context, definition, request);
            }

            if (!room.Result)
            {
                return new(RefuseForMemory(context, request));
            }
        }

        return QueueOrRun(context, definition, request);
    }

    private async ValueTask<KvReply> WhenRoomAsync(ValueTask<bool> room, CommandContext context, CommandDefinition definition, RespRequest request) =>
        await room ? await QueueOrRun(context, definition, request) : RefuseForMemory(context, request);

    private ValueTask<KvReply> QueueOrRun(CommandContext context, CommandDefinition definition, RespRequest request)
    {
        if (context.Session.Transaction is { } transaction && !TransactionCommands.IsControl(request[0]))
        {
            return new(TransactionCommands.Queue(transaction, definition, request));
        }

        // A script runs its commands away from this connection (in its key's turn, maybe on
        // another silo): its caller goes with it, unless the caller may run everything.
        if (definition.Routing == KeyRouting.ScriptKeys && context.Session.User is { State.Unrestricted: false } caller)
        {
            return RunAsCallerAsync(context, definition, request, caller);
        }

        return Run(context, definition, request);
    }

    private static KvReply RefuseForMemory(CommandContext context, RespRequest request)
    {
        if (context.Session.Transaction is { } transaction && !TransactionCommands.IsControl(request[0]))
        {
            transaction.Failed = true;
        }

        return OutOfMemoryReply;
    }

    private async ValueTask<KvReply> RunAsCallerAsync(CommandContext context, CommandDefinition definition, RespRequest request, AclUser caller)
    {
        // Set inside this async method, so the request context is this command's alone.
        global::Orleans.Runtime.RequestContext.Set(AclUsers.CallerKey, caller.Name);
        return await Run(context, definition, request);
    }

    /// <summary>Runs a command for the server itself (WATCH's look at a key, a keyless EXEC queue) as <paramref name="session"/>'s client would.</summary>
    internal async ValueTask<KvReply> ExecuteInternalAsync(ClientSession session, byte[][] command)
    {
        using var request = new RespRequest();
        foreach (var argument in command)
        {
            request.Add(argument);
        }

        var context = new CommandContext(session);
        return Admit(context, request, out var definition, out var error) ? await Run(context, definition, request) : error;
    }

    /// <summary>Routes EXEC's queue (the internal <see cref="TransactionCommands.ExecCommand"/>) to where its slot lives, its caller going along.</summary>
    internal ValueTask<KvReply> RouteTransactionAsync(CommandContext context, RespRequest request) =>
        context.Session.User is { State.Unrestricted: false } caller
            ? RunAsCallerAsync(context, _execDefinition, request, caller)
            : Run(context, _execDefinition, request);

    /// <summary>
    /// Redis's execCommand: a queued command is checked against the user again when EXEC runs it
    /// (the rules may have changed since it was queued); its place in EXEC's reply gets Redis's
    /// error then, else null.
    /// </summary>
    internal KvReply? RecheckQueued(AclUser? user, byte[][] command)
    {
        if (user is null || user.State.Unrestricted)
        {
            return null;
        }

        using var request = new RespRequest();
        foreach (var argument in command)
        {
            request.Add(argument);
        }

        if (FindCommand(request, 0) is not { } definition)
        {
            return null;
        }

        return AclGuard.Check(user, definition, request) switch
        {
            AclVerdict.DeniedCommand => KvReply.FromError(AclTexts.RulesChangedPrefix + "no permission to execute the command or subcommand"),
            AclVerdict.DeniedKey => KvReply.FromError(AclTexts.RulesChangedPrefix + "no permission to touch the specified keys"),
            _ => null,
        };
    }

    /// <summary>
    /// Runs a command another silo forwarded here, authenticated there. It passes this silo's slot
    /// gate like a client's; if the slot moved on meanwhile it travels again, at most
    /// <see cref="ClusterRouter.MaxHops"/> times in all.
    /// </summary>
    internal ValueTask<KvReply> ExecuteForwardedAsync(int hops, RespRequest request)
    {
        var context = new CommandContext(ForwardedSession) { Hops = hops };
        if (request.Count > 0 && Arguments.Is(request[0], "__kv_exec"u8))
        {
            return Run(context, _execDefinition, request);
        }

        if (!Admit(context, request, out var definition, out var error))
        {
            return new(error);
        }

        // Each silo checks its own memory: the owner makes room, or refuses a write, past its maxmemory.
        if (MayGrowMemory(definition, queued: false))
        {
            var room = _evictor.MakeRoomAsync();
            if (!room.IsCompletedSuccessfully)
            {
                return WhenRoomAsync(room, context, definition, request);
            }

            if (!room.Result)
            {
                return new(OutOfMemoryReply);
            }
        }

        return Run(context, definition, request);
    }

    /// <summary>
    /// One redis.call of a running script: checked as a script's command, then run at once on the
    /// script's turn (never routed: the script's grain already is where its key lives).
    /// </summary>
    internal KvReply ExecuteInScript(CommandContext context, byte[][] command)
    {
        var request = t_scriptRequest ??= new RespRequest();
        request.Reset();
        foreach (var argument in command)
        {
            request.Add(argument);
        }

        if (!Admit(context, request, out var definition, out var error))
        {
            return error;
        }

        // Redis's scriptVerifyACL: the script's commands are checked against the calling user.
        if (!context.InTransaction && (context.ScriptUser ?? context.Session.User) is { } user && AclGuard.Check(user, definition, request) is var verdict and not AclVerdict.Allowed)
        {
            return KvReply.FromError(AclGuard.ScriptErrorText(verdict));
        }

        if (context.ReadOnlyScript && definition.Flags.Contains("write"))
        {
            return KvReply.FromError("ERR Write commands are not allowed from read-only scripts.");
        }

        var pending = definition.Handler!(context, request);

        // Every command a script may call finishes inside the turn: grain methods are synchronous.
        return pending.IsCompletedSuccessfully
            ? pending.Result
            : throw new InvalidOperationException("A command called from a script did not complete synchronously.");
    }

    /// <summary>A script with keys, inside its key's turn (the key grain calls this).</summary>
    public KvReply Run(KeyOperations key, in ScriptRequest request) => _scripting.Run(key, request);

    /// <summary>True when maxmemory is set and the command may grow memory (denyoom, or queued in a MULTI).</summary>
    private bool MayGrowMemory(CommandDefinition definition, bool queued) =>
        _memory.MaxMemory > 0 && (queued || definition.Flags.Contains("denyoom"));

    /// <summary>The table's checks; a command that passes them is counted.</summary>
    private bool Admit(CommandContext context, RespRequest request, [NotNullWhen(true)] out CommandDefinition? definition, out KvReply error)
    {
        var admitted = _table.TryResolve(context, request, out definition, out error);
        context.Current = definition;
        if (admitted)
        {
            // TryResolve found a definition whenever it admits one.
            Interlocked.Increment(ref definition!.Calls);
            Interlocked.Increment(ref _commandsProcessed);
        }

        return admitted;
    }

    // Every definition in the table has a handler (only the containers lack one, and a container's
    // subcommand replaces it, or its arity refuses it, before this runs).
    private ValueTask<KvReply> Run(CommandContext context, CommandDefinition definition, RespRequest request) =>
        _router is not null && CommandKeys.TryGetRoutingKey(definition, request, out var keyIndex)
            ? _router.Route(context, definition, request, keyIndex)
            : definition.Handler!(context, request);
}

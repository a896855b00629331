using System.Text;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The command table and its handlers: checks name, arity and authentication as Redis does
/// (in that order), then turns each command into grain calls. Key commands go to the key's
/// grain through the grain runtime; inside a script they run on the script's grain directly,
/// since the script already holds that grain's turn.
/// </summary>
public sealed partial class CommandExecutor : IScriptHost
{
    private readonly Dictionary<string, CommandDefinition> _commands;
    private readonly Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly IKeyInvoker _invoker;
    private readonly IRecordStore<KeyRecord> _storage;
    private readonly KeyGrainServices _keys;
    private readonly LuaScriptEngine _scripts;
    private readonly ClusterRouter? _cluster;
    private readonly ClientRegistry _clients;
    private readonly TimingWheel _wheel;
    private readonly RespGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startedAtMs;
    private readonly SlotLocks _slotLocks = new();
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
        _invoker = invoker;
        _keys = keys;
        _storage = keys.Storage;
        _wheel = keys.Wheel;
        _time = keys.Time;
        _scripts = scripts;
        _clients = clients;
        _options = options.Value;
        _startedAtMs = keys.NowMs;
        _commands = BuildTable();
        _byName = _commands.GetAlternateLookup<ReadOnlySpan<char>>();
        _cluster = cluster;
        if (cluster is not null)
        {
            AttachCluster(cluster);
        }
    }

    /// <summary>Every top-level command, by lower-case name.</summary>
    public IReadOnlyDictionary<string, CommandDefinition> Commands => _commands;

    /// <summary>Commands run since start.</summary>
    public long CommandsProcessed => Interlocked.Read(ref _commandsProcessed);

    /// <summary>True when the server wants a password.</summary>
    public bool RequiresPassword => !string.IsNullOrEmpty(_options.RequirePass);

    /// <summary>Runs one command and returns its reply.</summary>
    public ValueTask<KvReply> ExecuteAsync(CommandContext context, RespRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var definition = Find(request[0]);
        context.Current = definition;
        if (definition is null)
        {
            return Reply(KvReply.FromError(context.InScript ? ErrorTexts.UnknownScriptCommand : ErrorTexts.UnknownCommand(request)));
        }

        if (definition.Subcommands is not null && request.Count >= 2)
        {
            var sub = Find(definition.Subcommands.GetAlternateLookup<ReadOnlySpan<char>>(), request[1]);
            if (sub is null)
            {
                return Reply(KvReply.FromError(ErrorTexts.UnknownSubcommand(request[1], definition.Name)));
            }

            definition = sub;
            context.Current = sub;
        }

        if (!definition.ArityAccepts(request.Count))
        {
            return Reply(KvReply.FromError(context.InScript ? ErrorTexts.ScriptWrongArity : ErrorTexts.WrongArity(definition.Name)));
        }

        var session = context.Session;
        if (!session.Authenticated && !definition.AllowedUnauthenticated)
        {
            return Reply(KvReply.FromError(ErrorTexts.NoAuth));
        }

        if (context.InScript && !definition.AllowedInScript)
        {
            return Reply(KvReply.FromError(ErrorTexts.NotAllowedFromScript));
        }

        Interlocked.Increment(ref definition.Calls);
        Interlocked.Increment(ref _commandsProcessed);
        if (!context.InScript)
        {
            session.LastCommand = definition.Name;
        }

        if (_cluster is not null && !context.InScript && TryGetRoutingKey(definition, request, out var keyIndex))
        {
            return Route(context, definition, request, keyIndex);
        }

        return definition.Handler!(context, request);
    }

    private static ValueTask<KvReply> Reply(KvReply reply) => new(reply);

    private static ValueTask<KvReply> Error(string text) => new(KvReply.FromError(text));

    private CommandDefinition? Find(ReadOnlySpan<byte> name) => Find(_byName, name);

    private static CommandDefinition? Find(Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<char>> table, ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
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

    /// <summary>Runs a key's call: in the script's turn when inside one, else as a turn of the key's grain.</summary>
    private ValueTask<KvReply> InvokeKey<TCall>(CommandContext context, ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall
    {
        if (context.InScript)
        {
            if (context.Grain is not { } grain || !key.SequenceEqual(grain.Key))
            {
                return Error(ErrorTexts.ScriptKeyNotDeclared);
            }

            return new(call.Invoke(grain));
        }

        return _invoker.InvokeAsync(key, call);
    }

    private static bool Is(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> word) => Ascii.EqualsIgnoreCase(argument, word);

    private long NowMs => _keys.NowMs;

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}

using System.Globalization;
using System.Text;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

// Server commands: COMMAND, INFO, DBSIZE, FLUSHDB/FLUSHALL, KEYS, SCAN, CONFIG, TIME.
public sealed partial class CommandExecutor
{
    private ValueTask<KvReply> CommandAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 1)
        {
            return new(KvReply.FromArray([.. _commands.Values.Select(DescribeCommand)]));
        }

        return new(KvReply.FromError(ErrorTexts.UnknownSubcommand(request[1], "command")));
    }

    private ValueTask<KvReply> CommandCountAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromInteger(_commands.Count));

    private ValueTask<KvReply> CommandListAsync(CommandContext context, RespRequest request) =>
        new(KvReply.FromArray([.. _commands.Keys.Select(KvReply.FromBulk)]));

    private ValueTask<KvReply> CommandInfoAsync(CommandContext context, RespRequest request)
    {
        if (request.Count == 2)
        {
            return new(KvReply.FromArray([.. _commands.Values.Select(DescribeCommand)]));
        }

        var replies = new KvReply[request.Count - 2];
        for (var i = 2; i < request.Count; i++)
        {
            replies[i - 2] = Find(request[i]) is { } definition ? DescribeCommand(definition) : KvReply.NilArray;
        }

        return new(KvReply.FromArray(replies));
    }

    private ValueTask<KvReply> CommandDocsAsync(CommandContext context, RespRequest request)
    {
        var selected = new List<CommandDefinition>();
        if (request.Count == 2)
        {
            selected.AddRange(_commands.Values);
        }
        else
        {
            for (var i = 2; i < request.Count; i++)
            {
                if (Find(request[i]) is { } definition)
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

    private ValueTask<KvReply> CommandHelpAsync(CommandContext context, RespRequest request) => new(Help(
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

    private async ValueTask<KvReply> DbSizeAsync(CommandContext context, RespRequest request)
    {
        long total = 0;
        foreach (var reply in await OnEverySiloAsync(Cluster.LocalOperation.DbSize))
        {
            if (reply.IsError)
            {
                return reply;
            }

            total += reply.Integer;
        }

        return KvReply.FromInteger(total);
    }

    private async ValueTask<KvReply> FlushAsync(CommandContext context, RespRequest request)
    {
        if (request.Count > 2 || (request.Count == 2 && !Is(request[1], "async"u8) && !Is(request[1], "sync"u8)))
        {
            return KvReply.FromError(ErrorTexts.Syntax);
        }

        // Grains read their state from storage at every call, so clearing storage is enough;
        // deadlines still in the wheel fire later and find nothing. Every silo clears its own.
        foreach (var reply in await OnEverySiloAsync(Cluster.LocalOperation.Flush))
        {
            if (reply.IsError)
            {
                return reply;
            }
        }

        return KvReply.Ok;
    }

    private async ValueTask<KvReply> KeysAsync(CommandContext context, RespRequest request)
    {
        var pattern = request.ToArray(1);
        var found = new List<KvReply>();
        foreach (var reply in await OnEverySiloAsync(Cluster.LocalOperation.Keys, w => w.WriteBytes(pattern)))
        {
            if (reply.IsError)
            {
                return reply;
            }

            found.AddRange(reply.Items!);
        }

        return KvReply.FromArray([.. found]);
    }

    private ValueTask<KvReply> ScanAsync(CommandContext context, RespRequest request)
    {
        if (!ulong.TryParse(request[1], NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) || cursor > long.MaxValue)
        {
            return Error(ErrorTexts.InvalidCursor);
        }

        byte[]? pattern = null;
        byte[]? type = null;
        long count = 10;
        for (var j = 2; j < request.Count; j++)
        {
            var more = request.Count - j - 1;
            if (Is(request[j], "count"u8) && more >= 1)
            {
                if (!RespNumber.TryParseInt64(request[j + 1], out count))
                {
                    return Error(ErrorTexts.NotInteger);
                }

                if (count < 1)
                {
                    return Error(ErrorTexts.Syntax);
                }

                j++;
            }
            else if (Is(request[j], "match"u8) && more >= 1)
            {
                pattern = request.ToArray(j + 1);
                j++;
            }
            else if (Is(request[j], "type"u8) && more >= 1)
            {
                type = request.ToArray(j + 1);
                j++;
            }
            else
            {
                return Error(ErrorTexts.Syntax);
            }
        }

        return ClusterScanAsync((long)cursor, count, pattern, type);
    }

    private ValueTask<KvReply> TimeAsync(CommandContext context, RespRequest request)
    {
        var now = _time.GetUtcNow();
        var microseconds = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return new(KvReply.FromArray(
        [
            KvReply.FromBulk((microseconds / 1_000_000).ToString(CultureInfo.InvariantCulture)),
            KvReply.FromBulk((microseconds % 1_000_000).ToString(CultureInfo.InvariantCulture)),
        ]));
    }

    private ValueTask<KvReply> ConfigGetAsync(CommandContext context, RespRequest request)
    {
        var parameters = ConfigParameters();
        var items = new List<KvReply>();
        var seen = new HashSet<string>();
        for (var i = 2; i < request.Count; i++)
        {
            var pattern = request[i];
            foreach (var (name, value) in parameters)
            {
                if (GlobPattern.IsMatch(pattern, Encoding.ASCII.GetBytes(name), ignoreCase: true) && seen.Add(name))
                {
                    items.Add(KvReply.FromBulk(name));
                    items.Add(KvReply.FromBulk(value));
                }
            }
        }

        return new(KvReply.FromMap([.. items]));
    }

    private ValueTask<KvReply> ConfigSetAsync(CommandContext context, RespRequest request) =>
        Error($"ERR Unknown option or number of arguments for CONFIG SET - '{Text(request[2])}'");

    private ValueTask<KvReply> ConfigResetStatAsync(CommandContext context, RespRequest request) => new(KvReply.Ok);

    /// <summary>
    /// Redis's MEMORY PURGE asks jemalloc to return dirty pages; ours runs a full, compacting
    /// garbage collection that also gives freed memory back to the operating system.
    /// </summary>
    private ValueTask<KvReply> MemoryPurgeAsync(CommandContext context, RespRequest request)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return new(KvReply.Ok);
    }

    /// <summary>The parameters clients probe (redis-benchmark asks for save and appendonly).</summary>
    private List<(string Name, string Value)> ConfigParameters() =>
    [
        ("appendonly", "no"),
        ("save", string.Empty),
        ("databases", "1"),
        ("maxclients", _options.MaxClients.ToString(CultureInfo.InvariantCulture)),
        ("timeout", _options.Timeout.ToString(CultureInfo.InvariantCulture)),
        ("port", _options.Port.ToString(CultureInfo.InvariantCulture)),
        ("bind", _options.Bind),
        ("proto-max-bulk-len", _options.MaxBulkLength.ToString(CultureInfo.InvariantCulture)),
        ("maxmemory", "0"),
        ("maxmemory-policy", "noeviction"),
        ("cluster-enabled", "no"),
        ("requirepass", _options.RequirePass ?? string.Empty),
    ];

    private async ValueTask<KvReply> InfoAsync(CommandContext context, RespRequest request)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < request.Count; i++)
        {
            sections.Add(Text(request[i]));
        }

        var all = sections.Count == 0 || sections.Contains("all") || sections.Contains("default") || sections.Contains("everything");
        bool Wants(string name) => all || sections.Contains(name);
        var text = new StringBuilder();
        var now = NowMs;
        if (Wants("server"))
        {
            var uptime = (now - _startedAtMs) / 1000;
            text.Append("# Server\r\n")
                .Append("redis_version:").Append(RedisVersion).Append("\r\n")
                .Append("redis_mode:standalone\r\n")
                .Append("server_name:orleans-keyvalue\r\n")
                .Append("os:").Append(Environment.OSVersion.VersionString).Append("\r\n")
                .Append("arch_bits:64\r\n")
                .Append("runtime:.NET ").Append(Environment.Version).Append("\r\n")
                .Append("process_id:").Append(Environment.ProcessId).Append("\r\n")
                .Append("tcp_port:").Append(_options.Port).Append("\r\n")
                .Append("server_time_usec:").Append(now * 1000).Append("\r\n")
                .Append("uptime_in_seconds:").Append(uptime).Append("\r\n")
                .Append("uptime_in_days:").Append(uptime / 86400).Append("\r\n")
                .Append("\r\n");
        }

        if (Wants("clients"))
        {
            text.Append("# Clients\r\n")
                .Append("connected_clients:").Append(_clients.Count).Append("\r\n")
                .Append("maxclients:").Append(_options.MaxClients).Append("\r\n")
                .Append("blocked_clients:0\r\n")
                .Append("\r\n");
        }

        if (Wants("memory"))
        {
            var managed = GC.GetTotalMemory(forceFullCollection: false);
            var resident = Environment.WorkingSet;
            text.Append("# Memory\r\n")
                .Append("used_memory:").Append(managed).Append("\r\n")
                .Append("used_memory_human:").Append(Human(managed)).Append("\r\n")
                .Append("used_memory_rss:").Append(resident).Append("\r\n")
                .Append("used_memory_rss_human:").Append(Human(resident)).Append("\r\n")
                .Append("maxmemory:0\r\n")
                .Append("maxmemory_policy:noeviction\r\n")
                .Append("gc_heap_size:").Append(GC.GetGCMemoryInfo().HeapSizeBytes).Append("\r\n")
                .Append("\r\n");
        }

        if (Wants("stats"))
        {
            var stats = _keys.Statistics;
            text.Append("# Stats\r\n")
                .Append("total_connections_received:").Append(_clients.AcceptedTotal).Append("\r\n")
                .Append("total_commands_processed:").Append(CommandsProcessed).Append("\r\n")
                .Append("rejected_connections:").Append(_clients.RejectedTotal).Append("\r\n")
                .Append("expired_keys:").Append(stats.ExpiredKeys).Append("\r\n")
                .Append("keyspace_hits:").Append(stats.Hits).Append("\r\n")
                .Append("keyspace_misses:").Append(stats.Misses).Append("\r\n")
                .Append("grain_activations:").Append(stats.Activations).Append("\r\n")
                .Append("grain_activations_total:").Append(stats.ActivationsTotal).Append("\r\n")
                .Append("grain_deactivations_total:").Append(stats.ActivationsTotal - stats.Activations).Append("\r\n")
                .Append("timing_wheel_pending:").Append(_wheel.Count).Append("\r\n")
                .Append("\r\n");
        }

        (long Keys, long Expires) keyspace = default;
        if (Wants("keyspace"))
        {
            foreach (var reply in await OnEverySiloAsync(Cluster.LocalOperation.KeyspaceStats))
            {
                if (!reply.IsError)
                {
                    keyspace.Keys += reply.Items![0].Integer;
                    keyspace.Expires += reply.Items[1].Integer;
                }
            }
        }

        if (Wants("keyspace"))
        {
            text.Append("# Keyspace\r\n");
            var (keys, expires) = keyspace;
            if (keys > 0)
            {
                text.Append("db0:keys=").Append(keys).Append(",expires=").Append(expires).Append(",avg_ttl=0\r\n");
            }
        }

        if (Wants("cluster"))
        {
            AppendClusterSection(text);
        }

        var result = text.ToString();
        if (result.EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            result = result[..^2];
        }

        return KvReply.FromVerbatim(result);
    }

    private static string Human(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + "G",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + "K",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + "B",
    };
}

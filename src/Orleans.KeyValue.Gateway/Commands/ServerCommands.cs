using System.Globalization;
using System.Text;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Resp;
using static Orleans.KeyValue.Gateway.Commands.Arguments;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Server commands: INFO, CONFIG, TIME, MEMORY.</summary>
internal sealed class ServerCommands(
    RespGatewayOptions options,
    ClientRegistry clients,
    KeyGrainServices keys,
    SiloFanOut fanOut,
    ClusterCommands cluster,
    Func<long> commandsProcessed)
{
    private readonly long _startedAtMs = keys.NowMs;

    public ValueTask<KvReply> TimeAsync(CommandContext context, RespRequest request)
    {
        var now = keys.Time.GetUtcNow();
        var microseconds = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return new(KvReply.FromArray(
        [
            KvReply.FromBulk((microseconds / 1_000_000).ToString(CultureInfo.InvariantCulture)),
            KvReply.FromBulk((microseconds % 1_000_000).ToString(CultureInfo.InvariantCulture)),
        ]));
    }

    public ValueTask<KvReply> ConfigGetAsync(CommandContext context, RespRequest request)
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

    /// <summary>
    /// CONFIG SET of the memory parameters (this silo's, as each Redis server has its own). As in
    /// Redis 7, every pair is checked before any is applied, and the first bad one is named.
    /// </summary>
    public ValueTask<KvReply> ConfigSetAsync(CommandContext context, RespRequest request)
    {
        if (request.Count % 2 != 0)
        {
            return Replies.Error("ERR syntax error");
        }

        var changes = new List<Action<MemoryLimit>>();
        for (var i = 2; i < request.Count; i += 2)
        {
            var name = Text(request[i]).ToLowerInvariant();
            var value = Text(request[i + 1]);
            switch (name)
            {
                case "maxmemory" when MemoryUnits.TryParse(value, out var bytes):
                    changes.Add(m => m.MaxMemory = bytes);
                    break;
                case "maxmemory":
                    return ConfigSetFailed(name, "argument must be a memory value");
                case "maxmemory-policy" when EvictionPolicies.TryParse(value, out var policy):
                    changes.Add(m => m.Policy = policy);
                    break;
                case "maxmemory-policy":
                    return ConfigSetFailed(name, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
                case "maxmemory-samples" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var samples) && samples >= 1:
                    changes.Add(m => m.Samples = samples);
                    break;
                case "maxmemory-samples":
                    return ConfigSetFailed(name, "argument must be between 1 and 2147483647 inclusive");
                case "lfu-log-factor" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var factor) && factor >= 0:
                    changes.Add(m => m.LfuLogFactor = factor);
                    break;
                case "lfu-decay-time" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var decay) && decay >= 0:
                    changes.Add(m => m.LfuDecayTime = decay);
                    break;
                case "lfu-log-factor" or "lfu-decay-time":
                    return ConfigSetFailed(name, "argument must be between 0 and 2147483647 inclusive");
                default:
                    return Replies.Error($"ERR Unknown option or number of arguments for CONFIG SET - '{Text(request[i])}'");
            }
        }

        foreach (var change in changes)
        {
            change(keys.Memory);
        }

        return new(KvReply.Ok);
    }

    private static ValueTask<KvReply> ConfigSetFailed(string name, string reason) =>
        Replies.Error($"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}");

    public static ValueTask<KvReply> ConfigResetStatAsync(CommandContext context, RespRequest request) => new(KvReply.Ok);

    /// <summary>
    /// Redis's MEMORY PURGE asks jemalloc to return dirty pages; ours runs a full, compacting
    /// garbage collection that also gives freed memory back to the operating system.
    /// </summary>
    public static ValueTask<KvReply> MemoryPurgeAsync(CommandContext context, RespRequest request)
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
        ("maxclients", options.MaxClients.ToString(CultureInfo.InvariantCulture)),
        ("timeout", options.Timeout.ToString(CultureInfo.InvariantCulture)),
        ("port", options.Port.ToString(CultureInfo.InvariantCulture)),
        ("tls-port", options.TlsPort.ToString(CultureInfo.InvariantCulture)),
        ("bind", options.Bind),
        ("proto-max-bulk-len", options.MaxBulkLength.ToString(CultureInfo.InvariantCulture)),
        ("client-query-buffer-limit", options.ClientQueryBufferLimit.ToString(CultureInfo.InvariantCulture)),
        ("client-output-buffer-limit", string.Create(CultureInfo.InvariantCulture, $"normal {options.OutputHardLimit} {options.OutputSoftLimit} {options.OutputSoftSeconds} slave 268435456 67108864 60 pubsub 33554432 8388608 60")),
        ("maxmemory-clients", options.MaxMemoryClients.ToString(CultureInfo.InvariantCulture)),
        ("maxmemory", keys.Memory.MaxMemory.ToString(CultureInfo.InvariantCulture)),
        ("maxmemory-policy", EvictionPolicies.NameOf(keys.Memory.Policy)),
        ("maxmemory-samples", keys.Memory.Samples.ToString(CultureInfo.InvariantCulture)),
        ("lfu-log-factor", keys.Memory.LfuLogFactor.ToString(CultureInfo.InvariantCulture)),
        ("lfu-decay-time", keys.Memory.LfuDecayTime.ToString(CultureInfo.InvariantCulture)),
        ("cluster-enabled", "no"),
        ("requirepass", options.RequirePass ?? string.Empty),
    ];

    public async ValueTask<KvReply> InfoAsync(CommandContext context, RespRequest request)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < request.Count; i++)
        {
            sections.Add(Text(request[i]));
        }

        var all = sections.Count == 0 || sections.Contains("all") || sections.Contains("default") || sections.Contains("everything");
        bool Wants(string name) => all || sections.Contains(name);
        var text = new StringBuilder();
        var now = keys.NowMs;
        if (Wants("server"))
        {
            var uptime = (now - _startedAtMs) / 1000;
            text.Append("# Server\r\n")
                .Append("redis_version:").Append(CommandExecutor.RedisVersion).Append("\r\n")
                .Append("redis_mode:standalone\r\n")
                .Append("server_name:orleans-keyvalue\r\n")
                .Append("os:").Append(Environment.OSVersion.VersionString).Append("\r\n")
                .Append("arch_bits:64\r\n")
                .Append("runtime:.NET ").Append(Environment.Version).Append("\r\n")
                .Append("process_id:").Append(Environment.ProcessId).Append("\r\n")
                .Append("tcp_port:").Append(options.Port).Append("\r\n")
                .Append("server_time_usec:").Append(now * 1000).Append("\r\n")
                .Append("uptime_in_seconds:").Append(uptime).Append("\r\n")
                .Append("uptime_in_days:").Append(uptime / 86400).Append("\r\n")
                .Append("\r\n");
        }

        if (Wants("clients"))
        {
            text.Append("# Clients\r\n")
                .Append("connected_clients:").Append(clients.Count).Append("\r\n")
                .Append("maxclients:").Append(options.MaxClients).Append("\r\n")
                .Append("blocked_clients:0\r\n")
                .Append("\r\n");
        }

        if (Wants("memory"))
        {
            var memory = keys.Memory;
            var used = memory.UsedMemory;
            var resident = Environment.WorkingSet;
            text.Append("# Memory\r\n")
                .Append("used_memory:").Append(used).Append("\r\n")
                .Append("used_memory_human:").Append(Human(used)).Append("\r\n")
                .Append("used_memory_rss:").Append(resident).Append("\r\n")
                .Append("used_memory_rss_human:").Append(Human(resident)).Append("\r\n")
                .Append("maxmemory:").Append(memory.MaxMemory).Append("\r\n")
                .Append("maxmemory_human:").Append(Human(memory.MaxMemory)).Append("\r\n")
                .Append("maxmemory_policy:").Append(EvictionPolicies.NameOf(memory.Policy)).Append("\r\n")
                .Append("mem_clients_normal:").Append(clients.Memory).Append("\r\n")
                .Append("gc_heap_in_use:").Append(GC.GetTotalMemory(forceFullCollection: false)).Append("\r\n")
                .Append("gc_heap_size:").Append(GC.GetGCMemoryInfo().HeapSizeBytes).Append("\r\n")
                .Append("\r\n");
        }

        if (Wants("stats"))
        {
            var stats = keys.Statistics;
            text.Append("# Stats\r\n")
                .Append("total_connections_received:").Append(clients.AcceptedTotal).Append("\r\n")
                .Append("total_commands_processed:").Append(commandsProcessed()).Append("\r\n")
                .Append("rejected_connections:").Append(clients.RejectedTotal).Append("\r\n")
                .Append("expired_keys:").Append(stats.ExpiredKeys).Append("\r\n")
                .Append("evicted_keys:").Append(keys.Memory.EvictedKeys).Append("\r\n")
                .Append("evicted_clients:").Append(clients.EvictedTotal).Append("\r\n")
                .Append("keyspace_hits:").Append(stats.Hits).Append("\r\n")
                .Append("keyspace_misses:").Append(stats.Misses).Append("\r\n")
                .Append("grain_activations:").Append(stats.Activations).Append("\r\n")
                .Append("grain_activations_total:").Append(stats.ActivationsTotal).Append("\r\n")
                .Append("grain_deactivations_total:").Append(stats.ActivationsTotal - stats.Activations).Append("\r\n")
                .Append("timing_wheel_pending:").Append(keys.Wheel.Count).Append("\r\n")
                .Append("\r\n");
        }

        (long Keys, long Expires) keyspace = default;
        if (Wants("keyspace"))
        {
            foreach (var reply in await fanOut.OnEverySiloAsync(LocalOperation.KeyspaceStats))
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
            cluster.AppendInfo(text);
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

using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.KeyValue.Dashboard;
using Orleans.KeyValue.Gateway;
using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Transport;
using Orleans.KeyValue.Silo.Clustering;
using Orleans.KeyValue.Silo.Tls;

namespace Orleans.KeyValue.Silo;

/// <summary>Composes one silo: key grains, the RESP gateway on Kestrel, logging, configuration.</summary>
public static class SiloApplication
{
    /// <summary>Orleans's service id: silos and Orleans clients of the store share it.</summary>
    public const string ServiceId = "orleans-keyvalue";

    /// <summary>The default Orleans gateway port (Orleans clients connect there).</summary>
    public const int DefaultOrleansGatewayPort = 30000;

    /// <summary>Command-line flags and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> Flags { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--port"] = "Gateway:Port",
        ["--bind"] = "Gateway:Bind",
        ["--requirepass"] = "Gateway:RequirePass",
        ["--aclfile"] = "Gateway:AclFile",
        ["--protected-mode"] = "Gateway:ProtectedMode",
        ["--client-query-buffer-limit"] = "Gateway:ClientQueryBufferLimit",
        ["--maxmemory"] = "Gateway:MaxMemory",
        ["--maxmemory-policy"] = "Gateway:MaxMemoryPolicy",
        ["--maxmemory-samples"] = "Gateway:MaxMemorySamples",
        ["--lfu-log-factor"] = "Gateway:LfuLogFactor",
        ["--lfu-decay-time"] = "Gateway:LfuDecayTime",
        ["--maxmemory-clients"] = "Gateway:MaxMemoryClients",
        ["--maxclients"] = "Gateway:MaxClients",
        ["--timeout"] = "Gateway:Timeout",
        ["--proto-max-bulk-len"] = "Gateway:MaxBulkLength",
        ["--dashboard-port"] = "Silo:DashboardPort",
        ["--dashboard-bind"] = "Silo:DashboardBind",
        ["--dashboard-password"] = "Silo:DashboardPassword",
        ["--script-time-limit"] = "Scripting:TimeLimit",
        ["--silo-port"] = "Cluster:SiloPort",
        ["--silo-bind"] = "Cluster:SiloBind",
        ["--advertise"] = "Cluster:AdvertisedHost",
        ["--seeds"] = "Membership:Seeds",
        ["--membership"] = "Membership:Provider",
        ["--connection-string"] = "Membership:ConnectionString",
        ["--cluster-id"] = "Membership:ClusterId",
        ["--silo-name"] = "Membership:SiloName",
        ["--orleans-gateway-port"] = "Orleans:GatewayPort",
        ["--replicas"] = "Replication:Replicas",
        ["--backup-timeout"] = "Replication:BackupTimeout",
        ["--tls-port"] = "Gateway:TlsPort",
        ["--tls-cert-file"] = "Tls:CertFile",
        ["--tls-key-file"] = "Tls:KeyFile",
        ["--tls-ca-cert-file"] = "Tls:CaCertFile",
        ["--tls-auth-clients"] = "Tls:AuthClients",
        ["--tls-cluster"] = "Tls:Cluster",
        ["--tls-dashboard"] = "Tls:Dashboard",
    };

    /// <summary>Flags that take Redis's yes and no.</summary>
    private static readonly HashSet<string> YesNoFlags = new(StringComparer.Ordinal) { "--protected-mode", "--tls-cluster", "--tls-dashboard" };

    /// <summary>
    /// Builds the silo from command-line <paramref name="args"/> (see <see cref="Flags"/>),
    /// environment variables prefixed <c>KV_</c> (<c>KV_Gateway__Port=6380</c>) and
    /// <c>appsettings.json</c>. <paramref name="configureServices"/> lets tests swap services,
    /// such as the <see cref="TimeProvider"/>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // A bare switch: --dashboard-insecure means true (the command-line provider wants a value).
        args = [.. args.Select(a => a == "--dashboard-insecure" ? "--Silo:DashboardInsecure=true" : a)];

        // Redis's memory units: --maxmemory 100mb.
        string[] memoryFlags = ["--maxmemory", "--client-query-buffer-limit", "--maxmemory-clients", "--proto-max-bulk-len"];
        args = [.. args.Select((a, i) => i > 0 && memoryFlags.Contains(args[i - 1]) && MemoryUnits.TryParse(a, out var bytes) ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) : a)];

        // Redis's --client-output-buffer-limit "normal <hard> <soft> <soft-seconds> [class ...]".
        args = [.. args.SelectMany((a, i) => i > 0 && args[i - 1] == "--client-output-buffer-limit" ? OutputBufferLimitSettings(a) : a == "--client-output-buffer-limit" ? [] : [a])];

        // Redis writes yes and no: --protected-mode no, --tls-cluster yes.
        args = [.. args.Select((a, i) => i > 0 && YesNoFlags.Contains(args[i - 1]) ? a switch { "yes" => "true", "no" => "false", _ => a } : a)];

        // Redis's user directive: --user name rule rule ... (the words up to the next --), repeatable.
        args = UserArguments(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddEnvironmentVariables("KV_");
        builder.Configuration.AddCommandLine(args, Flags.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        AddAclFile(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
        });

        var services = builder.Services;
        var gateway = builder.Configuration.GetSection(RespGatewayOptions.SectionName).Get<RespGatewayOptions>() ?? new RespGatewayOptions();
        var transport = builder.Configuration.GetSection(SiloTransportOptions.SectionName).Get<SiloTransportOptions>() ?? new SiloTransportOptions();
        var membership = builder.Configuration.GetSection(MembershipOptions.SectionName).Get<MembershipOptions>() ?? new MembershipOptions();
        var keyGrains = builder.Configuration.GetSection(KeyGrainOptions.SectionName).Get<KeyGrainOptions>() ?? new KeyGrainOptions();
        var name = membership.SiloName ?? $"{Environment.MachineName}:{gateway.AnnouncedPort}";
        CheckRespPorts(gateway);

        // Certificates are read now: a bad or missing file stops the silo before anything listens.
        var tls = SiloTls.Load(builder.Configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions(), gateway.TlsPort);

        // PostgreSQL's schema before Orleans reads it (a silo that cannot reach it stops here,
        // non-zero). The store's cluster services start and stop with the Orleans silo (a clean
        // leave hands keys over while Orleans still carries the messages).
        if (membership.Provider == "postgres" && !string.IsNullOrWhiteSpace(membership.ConnectionString))
        {
            var connectionString = membership.ConnectionString;
            services.AddHostedService(_ => new PostgresClusteringStartup(connectionString));
        }

        var host = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.UseOrleans(orleans =>
        {
            ConfigureOrleans(orleans, builder.Configuration, keyGrains, transport, membership, name);
            if (tls is { Cluster: true })
            {
                tls.ConfigureOrleans(orleans);
            }

            if (host.DashboardPort > 0)
            {
                // Orleans's dashboard, mounted at /orleans/ behind our dashboard's password.
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(orleans);
            }
        });
        services.AddOptions<KeyGrainOptions>().Bind(builder.Configuration.GetSection(KeyGrainOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<SiloTransportOptions>(builder.Configuration.GetSection(SiloTransportOptions.SectionName));
        services.Configure<MembershipOptions>(builder.Configuration.GetSection(MembershipOptions.SectionName));
        services.Configure<Orleans.KeyValue.Runtime.Replication.ReplicationOptions>(builder.Configuration.GetSection(Orleans.KeyValue.Runtime.Replication.ReplicationOptions.SectionName));
        services.Configure<RespGatewayOptions>(builder.Configuration.GetSection(RespGatewayOptions.SectionName));
        services.Configure<Orleans.KeyValue.Runtime.Timers.TimingWheelOptions>(builder.Configuration.GetSection(Orleans.KeyValue.Runtime.Timers.TimingWheelOptions.SectionName));
        services.Configure<Orleans.KeyValue.Grains.Scripting.ScriptOptions>(builder.Configuration.GetSection("Scripting"));
        services.AddOptions<SiloHostOptions>().Bind(builder.Configuration.GetSection(SiloHostOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = silo.ShutdownTimeout);
        CheckDashboardSecurity(silo);
        var users = CheckUsers(gateway);
        CheckProtectedMode(gateway, users);
        CheckMaxMemoryPolicy(gateway);
        services.AddKeyValueDashboard(o =>
        {
            o.Password = string.IsNullOrEmpty(silo.DashboardPassword) ? null : silo.DashboardPassword;
            o.MountOrleansDashboard = silo.DashboardPort > 0;
        });
        configureServices?.Invoke(services);

        services.AddSingleton(new SiloIdentity
        {
            GatewayPort = gateway.AnnouncedPort,
            TlsPort = tls is null ? 0 : gateway.TlsPort,
            Name = name,
        });
        // Commands finish in microseconds: running a connection's continuations on the I/O
        // thread that completed the read saves a thread-pool hop per batch of commands.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = silo.InlineScheduling);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (gateway.Port > 0)
            {
                kestrel.Listen(ParseAddress(gateway.Bind), gateway.Port, listen => listen.UseConnectionHandler<RespConnectionHandler>());
            }

            if (gateway.TlsPort > 0 && tls is not null)
            {
                // TLS first, then the same RESP handler: the connection sees plain bytes.
                kestrel.Listen(ParseAddress(gateway.Bind), gateway.TlsPort, listen =>
                {
                    tls.ConfigureResp(listen);
                    listen.UseConnectionHandler<RespConnectionHandler>();
                });
            }

            if (silo.DashboardPort > 0)
            {
                kestrel.Listen(ParseAddress(silo.DashboardBind), silo.DashboardPort, listen =>
                {
                    if (tls is { Dashboard: true })
                    {
                        tls.ConfigureDashboard(listen);
                    }
                });
            }
        });

        var app = builder.Build();
        var secured = !string.IsNullOrEmpty(silo.DashboardPassword);
        app.MapGet("/healthz", (CommandExecutor executor, KeyGrainServices keys, ClientRegistry clients, ClusterViewService membership) =>
        {
            // Healthy once the silo is an active member serving its share of the keys. Open to
            // all (health checks carry no password): with a password set, it says only that.
            var serving = membership.IsServing;
            var status = serving ? "ok" : membership.Joined.IsCompleted ? "not-serving" : "joining";
            if (secured)
            {
                return Results.Json(new { status }, statusCode: serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Json(
                new SiloHealth(
                    status,
                    executor.CommandsProcessed,
                    (int)keys.Statistics.Activations,
                    clients.Count,
                    membership.Me.ToString(),
                    membership.View.ActiveSilos.Count),
                statusCode: serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        if (silo.DashboardPort > 0)
        {
            app.MapKeyValueDashboard();
        }

        return app;
    }

    /// <summary>
    /// The Orleans silo: its ports (<c>--silo-port</c> for silo-to-silo traffic,
    /// <c>--orleans-gateway-port</c> for Orleans clients), membership (development clustering
    /// through the first silo, or PostgreSQL through Orleans's ADO.NET provider), failure
    /// detection, key grain collection, and the store's additions (slot view, placement by slot,
    /// hand-over, silo messages).
    /// </summary>
    private static void ConfigureOrleans(ISiloBuilder orleans, IConfiguration configuration, KeyGrainOptions keyGrains, SiloTransportOptions transport, MembershipOptions membership, string name)
    {
        var advertised = ResolveAddress(transport.Advertised);
        var gatewayPort = configuration.GetValue("Orleans:GatewayPort", DefaultOrleansGatewayPort);
        orleans.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = ServiceId;
            o.ClusterId = membership.ClusterId;
        });
        orleans.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = transport.SiloPort;
            o.GatewayPort = gatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(ParseAddress(transport.SiloBind), transport.SiloPort);
            o.GatewayListeningEndpoint = gatewayPort > 0 ? new IPEndPoint(ParseAddress(transport.SiloBind), gatewayPort) : null;
        });
        orleans.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name);
        if (membership.Provider == "postgres")
        {
            orleans.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = membership.ConnectionString;
            });
        }
        else
        {
            // Development clustering: the first silo (no --seeds) keeps the membership table;
            // the others join through it.
            var primary = membership.SeedEndpoints.Count > 0 && SiloEndpoint.TryParse(membership.SeedEndpoints[0], out var host, out var port)
                ? new IPEndPoint(ResolveAddress(host), port)
                : new IPEndPoint(advertised, transport.SiloPort);
            orleans.UseDevelopmentClustering(primary);
        }

        orleans.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = membership.ProbeTimeout;
            o.NumMissedProbesLimit = membership.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = membership.VotesForDeath;
            o.DeathVoteExpirationTimeout = membership.VoteExpiration;
            o.TableRefreshTimeout = membership.TableRefreshInterval;
            o.IAmAliveTablePublishTimeout = membership.IAmAliveInterval;
            o.MaxJoinAttemptTime = membership.JoinTimeout;
        });
        orleans.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionQuantum = keyGrains.CollectionQuantum;
            o.ClassSpecificCollectionAge[KeyGrainOptions.GrainClassName] = keyGrains.CollectionAge;
        });
        orleans.AddKeyValueStore();
    }

    private static IPAddress ResolveAddress(string host) =>
        IPAddress.TryParse(host, out var address) ? address
        : host == "localhost" ? IPAddress.Loopback
        : System.Net.Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    /// <summary>
    /// Redis's <c>client-output-buffer-limit</c> value as configuration settings: the normal class's
    /// hard limit, soft limit and soft seconds. The replica and pubsub classes are accepted (Redis's
    /// configuration may name them) but this store has no such clients.
    /// </summary>
    private static string[] OutputBufferLimitSettings(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Length % 4 != 0)
        {
            throw new InvalidOperationException($"client-output-buffer-limit \"{value}\": Redis's form is \"<class> <hard limit> <soft limit> <soft seconds>\", for example \"normal 1mb 512kb 10\".");
        }

        var settings = new List<string>();
        for (var i = 0; i < parts.Length; i += 4)
        {
            var kind = parts[i].ToLowerInvariant();
            if (kind is not ("normal" or "replica" or "slave" or "pubsub")
                || !MemoryUnits.TryParse(parts[i + 1], out var hard) || !MemoryUnits.TryParse(parts[i + 2], out var soft)
                || !long.TryParse(parts[i + 3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                throw new InvalidOperationException($"client-output-buffer-limit \"{value}\": Redis's form is \"<class> <hard limit> <soft limit> <soft seconds>\", class normal, replica or pubsub.");
            }

            if (kind == "normal")
            {
                settings.Add($"--Gateway:OutputHardLimit={hard}");
                settings.Add($"--Gateway:OutputSoftLimit={soft}");
                settings.Add($"--Gateway:OutputSoftSeconds={seconds}");
            }
        }

        return [.. settings];
    }

    private static void CheckRespPorts(RespGatewayOptions gateway)
    {
        if (gateway.Port == 0 && gateway.TlsPort == 0)
        {
            throw new InvalidOperationException("No RESP port: --port 0 turns the plain port off, so give --tls-port.");
        }

        if (gateway.Port == gateway.TlsPort)
        {
            throw new InvalidOperationException($"--port and --tls-port are both {gateway.Port}: the plain and the TLS port must differ.");
        }
    }

    /// <summary>Turns each <c>--user w1 w2 ...</c> into one <c>--Gateway:Users:n=w1 w2 ...</c> (Redis takes the words of an option up to the next <c>--</c>).</summary>
    private static string[] UserArguments(string[] args)
    {
        var result = new List<string>();
        var users = 0;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--user")
            {
                result.Add(args[i]);
                continue;
            }

            var words = new List<string>();
            while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                words.Add(args[++i]);
            }

            result.Add(string.Create(CultureInfo.InvariantCulture, $"--Gateway:Users:{users++}={string.Join(' ', words)}"));
        }

        return [.. result];
    }

    /// <summary>
    /// Redis's ACL file (<c>--aclfile path</c>): one <c>user name rule ...</c> line per user, blank
    /// lines skipped; its users join the configuration's. Users given both ways are refused, as Redis refuses them.
    /// </summary>
    private static void AddAclFile(ConfigurationManager configuration)
    {
        var path = configuration["Gateway:AclFile"];
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (configuration.GetSection("Gateway:Users").GetChildren().Any())
        {
            throw new InvalidOperationException(
                "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.");
        }

        var users = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (!line.StartsWith("user ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{path}:{lineNumber} should start with user keyword.");
            }

            users[string.Create(CultureInfo.InvariantCulture, $"Gateway:Users:{users.Count}")] = line["user ".Length..];
        }

        configuration.AddInMemoryCollection(users);
    }

    /// <summary>The configured users must parse, as Redis refuses to start on a bad user line.</summary>
    private static AclUsers CheckUsers(RespGatewayOptions gateway)
    {
        try
        {
            return new AclUsers(gateway.RequirePass, gateway.Users);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException("Bad ACL user configuration: " + e.Message, e);
        }
    }

    private static void CheckMaxMemoryPolicy(RespGatewayOptions gateway)
    {
        if (!EvictionPolicies.TryParse(gateway.MaxMemoryPolicy, out _))
        {
            throw new InvalidOperationException(
                $"maxmemory-policy {gateway.MaxMemoryPolicy} is not one of Redis's: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction.");
        }
    }

    /// <summary>Redis's protected mode: refused while the default user takes no password (--requirepass, or a --user default line with one).</summary>
    private static void CheckProtectedMode(RespGatewayOptions gateway, AclUsers users)
    {
        if (!gateway.ProtectedMode || !users.Default.OpensWithoutPassword || IsLoopback(gateway.Bind))
        {
            return;
        }

        throw new InvalidOperationException(
            $"Protected mode: the RESP port would listen on {gateway.Bind}:{gateway.Port}, reachable from other machines, and no password is set. " +
            "Set a password (--requirepass), bind it to 127.0.0.1 (--bind), or pass --protected-mode no to serve it without one anyway.");
    }

    /// <summary>
    /// Secure by default: a dashboard reachable from other machines shows keys and values, so a
    /// non-loopback bind needs a password, or the operator's explicit <c>--dashboard-insecure</c>.
    /// </summary>
    private static void CheckDashboardSecurity(SiloHostOptions silo)
    {
        if (silo.DashboardPort == 0 || !string.IsNullOrEmpty(silo.DashboardPassword) || silo.DashboardInsecure || IsLoopback(silo.DashboardBind))
        {
            return;
        }

        throw new InvalidOperationException(
            $"The dashboard would listen on {silo.DashboardBind}:{silo.DashboardPort}, reachable from other machines, without a password. " +
            "Set --dashboard-password (Silo:DashboardPassword, KV_Silo__DashboardPassword), bind it to 127.0.0.1 (--dashboard-bind), " +
            "turn it off (--dashboard-port 0), or pass --dashboard-insecure to serve it without a password anyway.");
    }

    private static bool IsLoopback(string address) =>
        address == "localhost" || (IPAddress.TryParse(address, out var parsed) && IPAddress.IsLoopback(parsed));

    private static IPAddress ParseAddress(string address) => address switch
    {
        "*" or "0.0.0.0" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(address),
    };
}

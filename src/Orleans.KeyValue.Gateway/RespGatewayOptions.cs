using System.ComponentModel.DataAnnotations;
using Orleans.KeyValue.Grains.Memory;

namespace Orleans.KeyValue.Gateway;

/// <summary>The RESP gateway: where it listens and the limits it enforces (Redis's defaults).</summary>
public sealed class RespGatewayOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary>The RESP port (<c>--port</c>); 0 turns the plain port off (Redis's <c>--port 0</c>, for a TLS-only silo).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 6379;

    /// <summary>Redis's <c>tls-port</c>: a second RESP port, over TLS, on the same address; 0 (the default) is none.</summary>
    [Range(0, 65535)]
    public int TlsPort { get; set; }

    /// <summary>The port a client of this silo is told about (CLUSTER SLOTS): the plain one, or the TLS one on a TLS-only silo.</summary>
    public int AnnouncedPort => Port > 0 ? Port : TlsPort;

    /// <summary>The address to listen on (<c>--bind</c>); loopback unless configured.</summary>
    [Required]
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>When set, clients must AUTH first (<c>--requirepass</c>): the password of the <c>default</c> ACL user.</summary>
    public string? RequirePass { get; set; }

    /// <summary>
    /// ACL users (<c>--user name rule ...</c>, repeatable; <c>--aclfile path</c>), each in Redis's
    /// <c>user</c> directive form without the word <c>user</c>: <c>alice on &gt;secret ~cache:* +@read</c>.
    /// </summary>
    public List<string> Users { get; set; } = [];

    /// <summary>Redis's <c>aclfile</c> (<c>--aclfile</c>): read once at start by the silo host into <see cref="Users"/>.</summary>
    public string? AclFile { get; set; }

    /// <summary>
    /// Redis's <c>protected-mode</c> (<c>--protected-mode yes|no</c>, default yes): a silo whose RESP
    /// port would be reachable from other machines (a non-loopback <see cref="Bind"/>) with no
    /// password refuses to start.
    /// </summary>
    public bool ProtectedMode { get; set; } = true;

    /// <summary>
    /// Redis's <c>maxmemory</c> (<c>--maxmemory</c>, bytes or Redis's units such as 100mb; 0, the
    /// default, is no limit), per silo: past it, the silo evicts keys as <see cref="MaxMemoryPolicy"/>
    /// says, or (noeviction, or nothing to evict) commands that may grow memory (Redis's denyoom
    /// flag: SET, INCR, HSET, ...) answer Redis's OOM error while reads keep working. Used memory
    /// is the process's (see <c>MemoryLimit</c>): a silo needs about 100 MB for itself.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxMemory { get; set; }

    /// <summary>
    /// Redis's <c>maxmemory-policy</c> (<c>--maxmemory-policy</c>): <c>noeviction</c> (the default),
    /// <c>allkeys-lru</c>, <c>allkeys-lfu</c>, <c>allkeys-random</c>, <c>volatile-lru</c>,
    /// <c>volatile-lfu</c>, <c>volatile-random</c>, <c>volatile-ttl</c>.
    /// </summary>
    [Required]
    public string MaxMemoryPolicy { get; set; } = "noeviction";

    /// <summary><see cref="MaxMemoryPolicy"/> parsed; noeviction for a name Redis does not know (refused at start).</summary>
    public EvictionPolicy EvictionPolicy => EvictionPolicies.TryParse(MaxMemoryPolicy, out var policy) ? policy : EvictionPolicy.NoEviction;

    /// <summary>Redis's <c>maxmemory-samples</c>: keys sampled for each eviction.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMemorySamples { get; set; } = 5;

    /// <summary>Redis's <c>lfu-log-factor</c>: how slowly the LFU counter grows.</summary>
    [Range(0, int.MaxValue)]
    public int LfuLogFactor { get; set; } = 10;

    /// <summary>Redis's <c>lfu-decay-time</c>: minutes for the LFU counter to lose one.</summary>
    [Range(0, int.MaxValue)]
    public int LfuDecayTime { get; set; } = 1;

    /// <summary>Redis's <c>maxclients</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxClients { get; set; } = 10000;

    /// <summary>Redis's <c>timeout</c>, in seconds: close a client idle this long; zero never closes.</summary>
    [Range(0, int.MaxValue)]
    public int Timeout { get; set; }

    /// <summary><see cref="Timeout"/> as a span; zero when clients are never closed for idleness.</summary>
    public TimeSpan ClientIdleTimeout => TimeSpan.FromSeconds(Timeout);

    /// <summary>
    /// Redis's <c>client-query-buffer-limit</c> (<c>--client-query-buffer-limit</c>, 1 GB): a client
    /// whose input not yet parsed into a whole command grows past it is disconnected, so a
    /// client that announces a huge command and trickles it in holds at most this much.
    /// </summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Redis's <c>client-output-buffer-limit</c> for normal clients, the hard limit
    /// (<c>--client-output-buffer-limit "normal hard soft seconds"</c>; 0, Redis's default, is none):
    /// a client that does not read its replies, so that the silo holds this many bytes of them it
    /// could not hand to the socket, is disconnected at once.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long OutputHardLimit { get; set; }

    /// <summary>The soft limit of <c>client-output-buffer-limit</c>: held this long (<see cref="OutputSoftSeconds"/>) past it, the client is disconnected.</summary>
    [Range(0, long.MaxValue)]
    public long OutputSoftLimit { get; set; }

    /// <summary>The seconds of <c>client-output-buffer-limit</c>'s soft limit.</summary>
    [Range(0, int.MaxValue)]
    public long OutputSoftSeconds { get; set; }

    /// <summary>
    /// Redis 7's <c>maxmemory-clients</c> (<c>--maxmemory-clients</c>, bytes or Redis's units; 0,
    /// the default, is none): when the input and output all connections hold together pass it, the
    /// connections holding the most are closed until they are under it (Redis's client eviction).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxMemoryClients { get; set; }

    /// <summary>Redis's <c>proto-max-bulk-len</c>.</summary>
    [Range(1, 2147483591)]
    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>The most arguments one command may carry.</summary>
    [Range(1, int.MaxValue)]
    public int MaxArguments { get; set; } = 1024 * 1024;

    /// <summary>The longest inline command (Redis: 64 KB).</summary>
    [Range(16, int.MaxValue)]
    public int MaxInlineLength { get; set; } = 64 * 1024;

    /// <summary>
    /// Replies a connection may hold unsent before the gateway stops reading from it and waits
    /// for the client to read (bounds memory per slow reader).
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int OutputBufferLimit { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many commands of one connection's pipeline may be in flight at once (waiting for a
    /// grain or another silo) while later ones start; replies still leave in order, and a
    /// command on a slot that an earlier one is still working on waits for it.
    /// </summary>
    [Range(1, 4096)]
    public int PipelineWindow { get; set; } = 64;

    /// <summary>Redis's <c>slowlog-log-slower-than</c>: commands slower than this go to the slow log the dashboard shows.</summary>
    public TimeSpan SlowLogThreshold { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Redis's <c>slowlog-max-len</c>: how many slow commands, and how many error replies, are kept.</summary>
    [Range(1, 100_000)]
    public int SlowLogMaxLength { get; set; } = 128;
}

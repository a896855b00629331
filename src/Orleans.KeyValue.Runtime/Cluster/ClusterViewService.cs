using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>
/// The store's view of the cluster, made from Orleans's membership (which does the joining,
/// probing, voting and declaring dead): the silos, their RESP ports and which one owns each key
/// slot. Every change of Orleans's membership (and every clean leave a silo announces) makes a
/// new <see cref="ClusterView"/>; listeners (the hand-over) run before the next one is made.
/// </summary>
/// <remarks>
/// It starts and stops with the Orleans silo at <see cref="ServiceLifecycleStage.Active"/>: it
/// follows membership once the silo is Active, and a clean leave runs first when the silo stops,
/// while Orleans still carries messages. The leaving silo tells
/// every other silo, which then stop counting it as an owner and wait for its keys, and then
/// hands each of its slots to the slot's new owner. A crash needs nothing from the dead silo:
/// Orleans declares it dead and its slots are served again by the others.
/// </remarks>
public sealed partial class ClusterViewService : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly IClusterMembershipService _orleans;
    private readonly SiloMessenger _messenger;
    private readonly SiloIdentity _identity;
    private readonly MembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Func<ClusterView, ClusterView, CancellationToken, Task>> _listeners = [];
    private readonly List<Action> _declaredDeadListeners = [];
    private readonly List<Func<CancellationToken, Task>> _leavingListeners = [];
    private readonly SemaphoreSlim _changing = new(1, 1);
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<SiloAddress, (string Name, int Port, DateTimeOffset Started, int TlsPort)> _described = [];
    private readonly HashSet<SiloAddress> _leaving = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SiloAddress, bool> _announcedLeaving = new();
    private readonly DateTimeOffset _startedAt;
    private ClusterMembershipSnapshot? _snapshot;
    private ClusterView _view = ClusterView.Empty;
    private bool _applied;
    private volatile bool _serving;
    private volatile bool _abandoned;
    private volatile bool _isolated;
    private bool _declaredDead;
    private Task? _quorum;
    private Task? _loop;

    public ClusterViewService(
        IClusterMembershipService orleans,
        ILocalSiloDetails local,
        SiloMessenger messenger,
        SiloIdentity identity,
        IOptions<MembershipOptions> options,
        TimeProvider time,
        ILogger<ClusterViewService> logger)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(messenger);
        ArgumentNullException.ThrowIfNull(options);
        _orleans = orleans;
        _messenger = messenger;
        _identity = identity;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _startedAt = time.GetUtcNow();
        Me = local.SiloAddress;
        messenger.Handle(SiloMessageType.Describe, (_, _) => new(Describe()));
        messenger.Handle(SiloMessageType.Leaving, OnLeavingAsync);
        messenger.RefuseFrom(silo => _view.StatusOf(silo) == SiloStatus.Dead);
    }

    /// <summary>This silo's Orleans address.</summary>
    public SiloAddress Me { get; }

    /// <summary>The current view.</summary>
    public ClusterView View => _view;

    /// <summary>Completes once this silo is an Active member serving its share of the slots.</summary>
    public Task Joined => _joined.Task;

    /// <summary>True while this silo is Active, not leaving, and not cut off from most of the cluster.</summary>
    public bool IsServing => _serving && !_isolated;

    /// <summary>
    /// True while this silo cannot reach most of the Active silos of its view. Orleans declares a
    /// silo that the others cannot reach dead, but the silo itself learns it only when it reaches
    /// the membership table again; meanwhile it must not take writes for slots that the others
    /// may already serve, so it refuses key commands (TRYAGAIN) until it can reach them.
    /// </summary>
    public bool IsIsolated => _isolated;

    /// <summary>Calls <paramref name="listener"/> with (old, new) at every view change, before the next one.</summary>
    public void OnViewChanged(Func<ClusterView, ClusterView, CancellationToken, Task> listener) => _listeners.Add(listener);

    /// <summary>Calls <paramref name="listener"/> once if this silo learns it was declared dead.</summary>
    public void OnDeclaredDead(Action listener) => _declaredDeadListeners.Add(listener);

    /// <summary>Calls <paramref name="listener"/> when this silo starts its clean leave, before it computes the view without itself.</summary>
    public void OnLeaving(Func<CancellationToken, Task> listener) => _leavingListeners.Add(listener);

    /// <summary>
    /// The current view with <paramref name="leaving"/> counted out as well: where slots go when
    /// silos turn out to be leaving before this silo's view says so.
    /// </summary>
    public ClusterView ViewWithout(IReadOnlyCollection<SiloAddress> leaving)
    {
        var view = _view;
        var members = view.Members.Select(m => m.Status == SiloStatus.Active && leaving.Contains(m.Silo) ? m with { Status = SiloStatus.ShuttingDown } : m);
        return ClusterView.Build(view.Version, members, _options.VirtualNodes);
    }

    /// <summary>Silos that announced their leave to this one (the view may not count them out yet).</summary>
    public IReadOnlyCollection<SiloAddress> AnnouncedLeaving => [.. _announcedLeaving.Keys];

    /// <summary>Asks Orleans to re-read its membership now (a silo seems gone).</summary>
    public void RequestRefresh() => _ = RefreshQuietlyAsync();

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ClusterViewService), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>Follows Orleans's membership and watches for isolation, until the silo stops.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = FollowAsync(_stopping.Token);
        _quorum = WatchQuorumAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Makes the next stop a crash as far as the store goes: no leave is announced and no slot is
    /// handed over (for tests that run silos in one process and cannot kill one).
    /// </summary>
    public void Abandon() => _abandoned = true;

    /// <summary>The clean leave: announce it, hand every slot over, then let Orleans stop.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _serving = false;
        if (_abandoned)
        {
            await _stopping.CancelAsync();
            return;
        }

        foreach (var listener in _leavingListeners)
        {
            await listener(cancellationToken);
        }

        var others = _view.ActiveSilos.Where(s => !s.Equals(Me)).ToList();
        var payload = new WireWriter(64);
        payload.WriteString(Me.ToParsableString());
        await Task.WhenAll(others.Select(async silo =>
        {
            try
            {
                await _messenger.SendAsync(silo, SiloMessageType.Leaving, payload.Written, cancellationToken: cancellationToken);
            }
            catch (SiloUnreachableException exception)
            {
                LogLeaveNotAnnounced(exception, silo.ToString());
            }
        }));

        await ChangeAsync(leaving: Me, cancellationToken);
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_quorum is not null)
        {
            await _quorum.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        LogLeft(Me.ToString());
    }

    public void Dispose()
    {
        _changing.Dispose();
        _stopping.Dispose();
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in _orleans.MembershipUpdates.WithCancellation(cancellationToken))
            {
                _snapshot = snapshot;
                await ChangeAsync(leaving: null, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Every probe interval, asks the other Active silos of the view for a sign of life; a silo
    /// that has not reached a majority of the view (itself included) for the failure-detection
    /// time (probe timeout x missed probes) is isolated until it does again.
    /// </summary>
    private async Task WatchQuorumAsync(CancellationToken cancellationToken)
    {
        var lastQuorum = _time.GetTimestamp();
        var limit = _options.ProbeTimeout * _options.MissedProbesLimit;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.ProbeInterval, _time, cancellationToken);
                var others = _view.ActiveSilos.Where(s => !s.Equals(Me)).ToList();
                var answers = await Task.WhenAll(others.Select(async silo =>
                {
                    try
                    {
                        await _messenger.SendAsync(silo, SiloMessageType.Describe, ReadOnlyMemory<byte>.Empty, _options.ProbeTimeout, cancellationToken);
                        return true;
                    }
                    catch (SiloUnreachableException)
                    {
                        return false;
                    }
                }));
                if ((answers.Count(a => a) + 1) * 2 > others.Count + 1)
                {
                    lastQuorum = _time.GetTimestamp();
                    if (_isolated)
                    {
                        _isolated = false;
                        LogQuorumRegained();
                    }
                }
                else if (!_isolated && _time.GetElapsedTime(lastQuorum) > limit)
                {
                    _isolated = true;
                    LogIsolated(answers.Count(a => a), others.Count);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async ValueTask<byte[]> OnLeavingAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var silo = SiloAddress.FromParsableString(new WireReader(payload).ReadString() ?? string.Empty);

        // Known at once, before the view that counts it out (which may wait for a change in
        // progress): hand-overs under way stop sending to it.
        _announcedLeaving[silo] = true;
        await ChangeAsync(leaving: silo, cancellationToken);
        return [];
    }

    /// <summary>Makes the view of the latest snapshot (with <paramref name="leaving"/> counted out) and applies it.</summary>
    private async Task ChangeAsync(SiloAddress? leaving, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            if (leaving is not null)
            {
                _leaving.Add(leaving);
            }

            if (_snapshot is not { } snapshot)
            {
                return;
            }

            if (_declaredDead)
            {
                return;
            }

            if (snapshot.GetSiloStatus(Me) == SiloStatus.Dead)
            {
                // Declared dead (cut off, or paused, for longer than failure detection): the
                // others served this silo's slots meanwhile, so its keys are stale. Serve
                // nothing, hand nothing over; Orleans stops the silo.
                _declaredDead = true;
                _serving = false;
                LogDeclaredDead(Me.ToString());
                foreach (var listener in _declaredDeadListeners)
                {
                    listener();
                }

                return;
            }

            await DescribeNewSilosAsync(snapshot, cancellationToken);
            var members = snapshot.Members.Values.Select(ToClusterSilo).ToList();
            var view = ClusterView.Build(snapshot.Version.Value, members, _options.VirtualNodes);
            var old = _view;
            if (!_applied)
            {
                // The first view: the slots this silo now owns were owned by the others until
                // this moment (they hand them over), unless this silo is alone.
                old = ClusterView.Build(view.Version, members.Where(m => !m.Silo.Equals(Me)), _options.VirtualNodes);
                _applied = true;
            }

            var meActive = view.StatusOf(Me) == SiloStatus.Active;
            _view = view;
            foreach (var listener in _listeners)
            {
                await listener(old, view, cancellationToken);
            }

            _serving = meActive;
            if (meActive)
            {
                _joined.TrySetResult();
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    private ClusterSilo ToClusterSilo(ClusterMember member)
    {
        var status = member.Status == SiloStatus.Active && _leaving.Contains(member.SiloAddress) ? SiloStatus.ShuttingDown : member.Status;
        _described.TryGetValue(member.SiloAddress, out var described);
        return new ClusterSilo
        {
            Silo = member.SiloAddress,
            Name = described.Name ?? member.Name,
            GatewayPort = described.Port,
            TlsPort = described.TlsPort,
            Status = status,
            StartTime = described.Name is null ? DateTimeOffset.UnixEpoch : described.Started,
        };
    }

    /// <summary>Asks each Active silo seen for the first time for its name, RESP port and start time.</summary>
    private async Task DescribeNewSilosAsync(ClusterMembershipSnapshot snapshot, CancellationToken cancellationToken)
    {
        var unknown = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !_described.ContainsKey(m.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToList();
        var answers = await Task.WhenAll(unknown.Select(async silo =>
        {
            if (silo.Equals(Me))
            {
                return (silo, Describe());
            }

            try
            {
                return (silo, await _messenger.SendAsync(silo, SiloMessageType.Describe, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken));
            }
            catch (SiloUnreachableException)
            {
                return (silo, (byte[]?)null);
            }
        }));
        foreach (var (silo, answer) in answers)
        {
            if (answer is not null)
            {
                var reader = new WireReader(answer);
                // The TLS port came last, later: a silo of an older build sends none.
                _described[silo] = (reader.ReadString() ?? silo.ToString(), reader.ReadInt32(), DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()), reader.AtEnd ? 0 : reader.ReadInt32());
            }
        }
    }

    private byte[] Describe()
    {
        var writer = new WireWriter(64);
        writer.WriteString(_identity.Name);
        writer.WriteInt32(_identity.GatewayPort);
        writer.WriteInt64(_startedAt.ToUnixTimeMilliseconds());
        writer.WriteInt32(_identity.TlsPort);
        return writer.Written.ToArray();
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            await _orleans.Refresh();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogRefreshFailed(exception);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not tell {Silo} that this silo is leaving")]
    private partial void LogLeaveNotAnnounced(Exception exception, string silo);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Silo {Silo} handed its slots over and leaves")]
    private partial void LogLeft(string silo);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Cut off: {Reached} of {Others} other silos answer; refusing key commands until most do")]
    private partial void LogIsolated(int reached, int others);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Most silos answer again: serving")]
    private partial void LogQuorumRegained();

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Silo {Silo} was declared dead by the cluster: its keys are dropped (the others served them meanwhile)")]
    private partial void LogDeclaredDead(string silo);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Refreshing the membership failed")]
    private partial void LogRefreshFailed(Exception exception);
}

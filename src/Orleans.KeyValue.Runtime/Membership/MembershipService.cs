using System.Buffers.Binary;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// This silo's membership (Orleans's membership oracle): joins the table (Joining, then
/// Active), keeps a view of it, probes every other silo over the silo connection, votes a
/// silent silo dead (enough votes declare it, and every silo converges on the table's view),
/// writes a heartbeat, and leaves cleanly on shutdown (ShuttingDown, hand-over, Dead). Every
/// table write is a compare-and-swap on the table version. View changes go to the listeners
/// one at a time, in version order.
/// </summary>
public sealed partial class MembershipService : BackgroundService, IHostedLifecycleService
{
    private readonly IMembershipTable _table;
    private readonly SiloTransport _transport;
    private readonly MembershipOptions _options;
    private readonly SiloTransportOptions _transportOptions;
    private readonly SiloIdentity _identity;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _viewLock = new(1, 1);
    private readonly Channel<bool> _refreshRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<SiloAddress, int> _missedProbes = [];
    private readonly List<Func<ClusterView, ClusterView, CancellationToken, Task>> _listeners = [];
    private readonly List<Action> _declaredDeadListeners = [];
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ClusterView _view = ClusterView.Empty;
    private SiloAddress _me;
    private volatile bool _serving;
    private volatile bool _leaving;
    private volatile bool _rejoining;
    private volatile bool _isolated;
    private long _lastTableContact;
    private bool _killed;

    public MembershipService(
        IMembershipTable table,
        SiloTransport transport,
        IOptions<MembershipOptions> options,
        IOptions<SiloTransportOptions> transportOptions,
        SiloIdentity identity,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<MembershipService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transportOptions);
        _table = table;
        _transport = transport;
        _options = options.Value;
        _transportOptions = transportOptions.Value;
        _identity = identity;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
        _me = NewAddress();
        transport.Handle(SiloMessageType.Ping, HandlePingAsync);
        transport.Handle(SiloMessageType.ViewChanged, HandleViewChangedAsync);
        transport.Handle(SiloMessageType.MembershipTable, (payload, ct) => MembershipTableProtocol.HandleAsync(_table, payload, ct));
    }

    /// <summary>This silo's address and generation.</summary>
    public SiloAddress Me => _me;

    /// <summary>The current view.</summary>
    public ClusterView View => _view;

    /// <summary>Completes once this silo is Active.</summary>
    public Task Joined => _joined.Task;

    /// <summary>
    /// False before joining, after being declared dead, while leaving, and while isolated: when
    /// neither the membership table nor most other active silos answer, this silo is likely on
    /// the wrong side of a partition, where the others are about to declare it dead and serve
    /// its keys. It refuses key commands (retryable) rather than accept writes that would be lost.
    /// </summary>
    public bool IsServing => _serving && !_isolated;

    /// <summary>True while cut off from the table and most other silos (see <see cref="IsServing"/>).</summary>
    public bool IsIsolated => _isolated;

    /// <summary>Table writes that lost a compare-and-swap and were retried.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    private long _conflicts;

    /// <summary>Adds a listener for view changes (old view, new view); listeners run in order, one change at a time.</summary>
    public void OnViewChanged(Func<ClusterView, ClusterView, CancellationToken, Task> listener) => _listeners.Add(listener);

    /// <summary>Adds a listener for this silo being declared dead: it must forget every key, which other silos own now.</summary>
    public void OnDeclaredDead(Action listener) => _declaredDeadListeners.Add(listener);

    /// <summary>Asks for a table read soon (coalesced).</summary>
    public void RequestRefresh() => _refreshRequests.Writer.TryWrite(true);

    /// <summary>For tests of failure detection: stop at once, with no goodbye to the table.</summary>
    public void Kill() => _killed = true;

    /// <summary>Reads the table now and applies a newer view.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await _table.ReadAllAsync(cancellationToken);
        Volatile.Write(ref _lastTableContact, _time.GetTimestamp());
        await ApplyAsync(snapshot, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Join only once the silo port listens: others contact a silo as soon as it is in the table.
        await WaitForStartAsync(stoppingToken);
        await JoinAsync(stoppingToken);
        var refreshing = RefreshLoopAsync(stoppingToken);
        using var timer = new PeriodicTimer(_options.ProbeInterval, _time);
        var lastRefresh = _time.GetTimestamp();
        var lastAlive = _time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await GuardAsync(ProbeAllAsync(stoppingToken));
                if (_time.GetElapsedTime(lastRefresh) >= _options.TableRefreshInterval)
                {
                    lastRefresh = _time.GetTimestamp();
                    RequestRefresh();
                }

                if (_time.GetElapsedTime(lastAlive) >= _options.IAmAliveInterval && _serving)
                {
                    lastAlive = _time.GetTimestamp();
                    await GuardAsync(_table.UpdateIAmAliveAsync(_me, _time.GetUtcNow(), stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        _refreshRequests.Writer.TryComplete();
        await refreshing;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A clean leave, before any service stops (the silo port and the gateway still work while
    /// the keys move); then the silo connections close so the server's stop does not wait on them.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!_killed && _joined.Task.IsCompletedSuccessfully)
        {
            await LeaveAsync(cancellationToken);
        }

        await _transport.DisposeAsync();
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        while (true)
        {
            try
            {
                await _table.InitializeAsync(cancellationToken);
                break;
            }
            catch (Exception exception) when (exception is SiloUnavailableException or System.Net.Sockets.SocketException or System.Data.Common.DbException or TimeoutException)
            {
                if (_time.GetElapsedTime(deadline) > _options.JoinTimeout)
                {
                    LogJoinFailed(exception.Message);
                    _joined.TrySetException(exception);
                    _lifetime.StopApplication();
                    throw;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken);
            }
        }

        var now = _time.GetUtcNow();
        var entry = new MembershipEntry
        {
            Silo = _me,
            GatewayPort = _identity.GatewayPort,
            Name = _identity.Name,
            Status = SiloStatus.Joining,
            StartTime = now,
            IAmAliveTime = now,
        };

        // Joining first: the view this silo starts from is the cluster without it, so it knows
        // which silos hold the slots it is about to own.
        while (true)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken);
            if (await _table.InsertRowAsync(entry, snapshot.Version, cancellationToken))
            {
                break;
            }

            Interlocked.Increment(ref _conflicts);
        }

        await RefreshAsync(cancellationToken);
        await UpdateOwnStatusAsync(SiloStatus.Active, cancellationToken);
        _serving = true;
        _joined.TrySetResult();
        LogJoined(_me.ToString(), _view.ActiveSilos.Count);
    }

    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        _leaving = true;
        try
        {
            // ShuttingDown: the others stop placing keys here and this silo hands its slots over
            // (the hand-over listener runs as the view without this silo is applied).
            await UpdateOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);
            _serving = false;
            await UpdateOwnStatusAsync(SiloStatus.Dead, cancellationToken);
            LogLeft(_me.ToString());
        }
        catch (Exception exception) when (exception is SiloUnavailableException or OperationCanceledException or System.Data.Common.DbException)
        {
            LogLeaveFailed(exception.Message);
        }
    }

    private async Task UpdateOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        while (true)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken);
            var row = snapshot.Find(_me) ?? throw new InvalidOperationException($"Silo {_me} has no row in the membership table.");
            if (row.Entry.Status == SiloStatus.Dead)
            {
                return;
            }

            var updated = row.Entry with { Status = status, IAmAliveTime = _time.GetUtcNow() };
            if (await _table.UpdateRowAsync(updated, row.ETag, snapshot.Version, cancellationToken))
            {
                await RefreshAsync(cancellationToken);
                await AnnounceAsync(cancellationToken);
                return;
            }

            Interlocked.Increment(ref _conflicts);
        }
    }

    private async Task ApplyAsync(MembershipSnapshot snapshot, CancellationToken cancellationToken)
    {
        await _viewLock.WaitAsync(cancellationToken);
        try
        {
            var old = _view;
            if (snapshot.Version <= old.Version)
            {
                return;
            }

            var view = ClusterView.Build(snapshot, _options.VirtualNodes);
            if (_joined.Task.IsCompletedSuccessfully && !_leaving && !_rejoining && view.StatusOf(_me) is SiloStatus.Dead or null)
            {
                // Declared dead by the others (a partition, a long pause): its keys belong to
                // other silos now and may have been written there since. Forget them, forget
                // the view (it said this incarnation owned slots), and come back as a new
                // incarnation that joins like a new silo and receives its slots by hand-over.
                _serving = false;
                _rejoining = true;
                LogDeclaredDead(_me.ToString());
                foreach (var listener in _declaredDeadListeners)
                {
                    listener();
                }

                _view = ClusterView.Empty;
                _ = RejoinAsync();
                return;
            }

            _view = view;
            LogViewChanged(view.Version, view.ActiveSilos.Count, view.Members.Count);
            foreach (var listener in _listeners)
            {
                await listener(old, view, cancellationToken);
            }
        }
        finally
        {
            _viewLock.Release();
        }
    }

    private async Task RejoinAsync()
    {
        try
        {
            await Task.Yield();
            _me = NewAddress();
            await JoinAsync(_lifetime.ApplicationStopping);
        }
        catch (Exception exception) when (exception is SiloUnavailableException or OperationCanceledException or System.Data.Common.DbException)
        {
            LogJoinFailed(exception.Message);
        }
        finally
        {
            _rejoining = false;
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _refreshRequests.Reader.WaitToReadAsync(cancellationToken))
            {
                _refreshRequests.Reader.TryRead(out _);
                await GuardAsync(RefreshAsync(cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        var view = _view;
        var targets = view.Members.Where(m => m.Silo != _me && m.Status is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown).ToList();
        var results = await Task.WhenAll(targets.Select(t => ProbeAsync(t.Silo, cancellationToken)));
        var suspects = new List<SiloAddress>();
        lock (_missedProbes)
        {
            // Forget silos that left the view.
            foreach (var gone in _missedProbes.Keys.Where(s => !targets.Any(t => t.Silo == s)).ToList())
            {
                _missedProbes.Remove(gone);
            }

            for (var i = 0; i < targets.Count; i++)
            {
                var silo = targets[i].Silo;
                var missed = results[i] ? 0 : _missedProbes.GetValueOrDefault(silo) + 1;
                _missedProbes[silo] = missed;
                if (missed >= _options.MissedProbesLimit)
                {
                    suspects.Add(silo);
                }
            }
        }

        // Isolated: most other active silos and the table have been silent for a while.
        var activeOthers = targets.Count(t => t.Status == SiloStatus.Active);
        var silentActive = targets.Where((t, i) => t.Status == SiloStatus.Active && !results[i]).Count(t => suspects.Contains(t.Silo));
        var tableSilent = _time.GetElapsedTime(Volatile.Read(ref _lastTableContact)) > (_options.TableRefreshInterval * 2) + _options.ProbeInterval;
        var isolated = activeOthers > 0 && silentActive * 2 >= activeOthers + 1 && tableSilent;
        if (isolated != _isolated)
        {
            _isolated = isolated;
            LogIsolation(_me.ToString(), isolated);
        }

        foreach (var suspect in suspects)
        {
            if (_serving)
            {
                await SuspectAsync(suspect, cancellationToken);
            }
        }
    }

    private async Task<bool> ProbeAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(payload, _view.Version);
        try
        {
            var response = await _transport.SendAsync(silo.Endpoint, SiloMessageType.Ping, payload, _options.ProbeTimeout, cancellationToken);
            if (response.Length >= 8 && BinaryPrimitives.ReadInt64LittleEndian(response) > _view.Version)
            {
                RequestRefresh();
            }

            return true;
        }
        catch (SiloUnavailableException)
        {
            return false;
        }
    }

    private ValueTask<byte[]> HandlePingAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length >= 8 && BinaryPrimitives.ReadInt64LittleEndian(payload.Span) > _view.Version)
        {
            RequestRefresh();
        }

        var response = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(response, _view.Version);
        return new(response);
    }

    private ValueTask<byte[]> HandleViewChangedAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        RequestRefresh();
        return new([]);
    }

    /// <summary>One vote that <paramref name="suspect"/> is dead; declares it when the votes suffice.</summary>
    private async Task SuspectAsync(SiloAddress suspect, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken);
            Volatile.Write(ref _lastTableContact, _time.GetTimestamp());
            var row = snapshot.Find(suspect);

            // Only an active member votes: a silo that was itself cut off (and maybe declared
            // dead meanwhile) missed its probes because of its own isolation.
            if (row is null || row.Entry.Status == SiloStatus.Dead || snapshot.Find(_me)?.Entry.Status != SiloStatus.Active)
            {
                await ApplyAsync(snapshot, cancellationToken);
                return;
            }

            var now = _time.GetUtcNow();
            var votes = row.Entry.Suspicions
                .Where(v => v.Voter != _me && now - v.Time < _options.VoteExpiration)
                .Append(new SuspectVote(_me, now))
                .ToList();

            // With few silos, every other active silo's vote is enough.
            var others = snapshot.Rows.Count(r => r.Entry.Status == SiloStatus.Active && r.Entry.Silo != suspect);
            var needed = Math.Max(1, Math.Min(_options.VotesForDeath, others));
            var declare = votes.Count >= needed;
            var updated = row.Entry with
            {
                Status = declare ? SiloStatus.Dead : row.Entry.Status,
                Suspicions = votes,
            };
            if (await _table.UpdateRowAsync(updated, row.ETag, snapshot.Version, cancellationToken))
            {
                if (declare)
                {
                    LogDeclaring(suspect.ToString(), votes.Count);
                    _transport.Disconnect(suspect.Endpoint);
                }
                else
                {
                    LogSuspecting(suspect.ToString(), votes.Count, needed);
                }

                await RefreshAsync(cancellationToken);
                await AnnounceAsync(cancellationToken);
                return;
            }

            Interlocked.Increment(ref _conflicts);
        }
    }

    /// <summary>Tells every other live silo that the table changed.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var targets = _view.Members.Where(m => m.Silo != _me && m.Status != SiloStatus.Dead).ToList();
        await Task.WhenAll(targets.Select(async t =>
        {
            try
            {
                await _transport.SendAsync(t.Silo.Endpoint, SiloMessageType.ViewChanged, ReadOnlyMemory<byte>.Empty, _options.ProbeTimeout, cancellationToken);
            }
            catch (SiloUnavailableException)
            {
                // It reads the table on its own schedule, or it is the one being declared dead.
            }
        }));
    }

    private async Task GuardAsync(Task work)
    {
        try
        {
            await work;
        }
        catch (Exception exception) when (exception is SiloUnavailableException or System.Data.Common.DbException or TimeoutException or InvalidDataException)
        {
            LogTableUnavailable(exception.Message);
        }
    }

    private SiloAddress NewAddress()
    {
        // The generation is the start time; a rejoin in the same millisecond still moves forward.
        var generation = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), (_me?.Generation ?? 0) + 1);
        return new SiloAddress(_transportOptions.Advertised, _transportOptions.SiloPort, generation);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Silo {Silo} joined the cluster ({Active} active silos)")]
    private partial void LogJoined(string silo, int active);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Membership view {Version}: {Active} active of {Members} silos")]
    private partial void LogViewChanged(long version, int active, int members);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Silo {Silo} suspected dead ({Votes} of {Needed} votes)")]
    private partial void LogSuspecting(string silo, int votes, int needed);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Silo {Silo} declared dead ({Votes} votes)")]
    private partial void LogDeclaring(string silo, int votes);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "This silo ({Silo}) was declared dead by the cluster; it stops serving and rejoins as a new generation")]
    private partial void LogDeclaredDead(string silo);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Silo {Silo} left the cluster")]
    private partial void LogLeft(string silo);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Leaving the cluster cleanly failed: {Reason}")]
    private partial void LogLeaveFailed(string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Membership table unavailable: {Reason}")]
    private partial void LogTableUnavailable(string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Silo {Silo} isolated from the table and most silos: {Isolated} (while isolated it refuses key commands)")]
    private partial void LogIsolation(string silo, bool isolated);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Critical, Message = "Could not join the cluster: {Reason}")]
    private partial void LogJoinFailed(string reason);
}

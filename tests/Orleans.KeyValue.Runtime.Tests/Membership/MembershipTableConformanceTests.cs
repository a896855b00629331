using Orleans.KeyValue.Runtime.Membership;

namespace Orleans.KeyValue.Runtime.Tests.Membership;

/// <summary>
/// What every <see cref="IMembershipTable"/> must do. A concrete class per implementation
/// supplies a fresh, initialized, empty table per test. Times are whole milliseconds, the
/// precision every implementation keeps.
/// </summary>
public abstract class MembershipTableConformanceTests : IAsyncLifetime, IDisposable
{
    protected const int TestTimeout = 30_000;

    /// <summary>How many writers race in the concurrency tests.</summary>
    private const int Racers = 8;

    protected static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    // Cancels the table calls of a test that overran its timeout instead of leaving them running.
    private readonly CancellationTokenSource _timeout = new(TestTimeout);

    protected CancellationToken Cancellation => _timeout.Token;

    /// <summary>A new table, already initialized, that no other test sees.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test, before <see cref="Dispose()"/>: the place to remove what the test stored.</summary>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timeout.Dispose();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ReadAll_OnAnEmptyTable_ReturnsNoRowsAtVersionZero()
    {
        var table = await CreateTableAsync();

        var snapshot = await table.ReadAllAsync(Cancellation);

        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Rows);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task InsertRow_ThenReadAll_RoundTripsEveryField()
    {
        var table = await CreateTableAsync();
        var entry = new MembershipEntry
        {
            Silo = new SiloAddress("::1", 11111, 1_741_965_000_123),
            GatewayPort = 6380,
            Name = "silo-ü-1",
            Status = SiloStatus.ShuttingDown,
            StartTime = T0,
            IAmAliveTime = T0.AddSeconds(7).AddMilliseconds(3),
            Suspicions =
            [
                new SuspectVote(new SiloAddress("10.0.0.2", 11112, 42), T0.AddMinutes(1)),
                new SuspectVote(new SiloAddress("silo-3.kv.svc", 11113, 43), T0.AddMinutes(2).AddMilliseconds(1)),
            ],
        };

        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var snapshot = await table.ReadAllAsync(Cancellation);

        Assert.Equal(1, snapshot.Version);
        var row = Assert.Single(snapshot.Rows);
        AssertSameEntry(entry, row.Entry);
        Assert.False(string.IsNullOrEmpty(row.ETag));
        Assert.Same(row, snapshot.Find(entry.Silo));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task InsertRow_WithAStaleVersion_Fails()
    {
        var table = await CreateTableAsync();
        var first = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(first, 0, Cancellation));

        Assert.False(await table.InsertRowAsync(Entry("10.0.0.2"), 0, Cancellation));

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(first.Silo, Assert.Single(snapshot.Rows).Entry.Silo);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task InsertRow_OfASiloThatHasARow_Fails()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var before = await table.ReadAllAsync(Cancellation);

        Assert.False(await table.InsertRowAsync(entry with { Name = "again", Status = SiloStatus.Active }, 1, Cancellation));

        var after = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, after.Version);
        var row = Assert.Single(after.Rows);
        AssertSameEntry(entry, row.Entry);
        Assert.Equal(before.Rows[0].ETag, row.ETag);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateRow_WithAStaleETag_Fails()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var staleETag = (await table.ReadAllAsync(Cancellation)).Rows[0].ETag;
        var active = entry with { Status = SiloStatus.Active };
        Assert.True(await table.UpdateRowAsync(active, staleETag, 1, Cancellation));

        // The version is current; only the etag is stale.
        Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, staleETag, 2, Cancellation));

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(2, snapshot.Version);
        AssertSameEntry(active, Assert.Single(snapshot.Rows).Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateRow_WithAStaleVersion_Fails()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var etag = (await table.ReadAllAsync(Cancellation)).Rows[0].ETag;
        Assert.True(await table.InsertRowAsync(Entry("10.0.0.2"), 1, Cancellation));

        // The etag is current; only the version is stale.
        Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, etag, 1, Cancellation));

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(2, snapshot.Version);
        var row = snapshot.Find(entry.Silo);
        Assert.NotNull(row);
        Assert.Equal(etag, row.ETag);
        AssertSameEntry(entry, row.Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateRow_OfASiloWithoutARow_Fails()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry("10.0.0.1"), 0, Cancellation));
        var etag = (await table.ReadAllAsync(Cancellation)).Rows[0].ETag;

        Assert.False(await table.UpdateRowAsync(Entry("10.0.0.2"), etag, 1, Cancellation));

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, snapshot.Version);
        Assert.Single(snapshot.Rows);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateRow_ReplacesTheRow_BumpsTheVersion_AndChangesTheETag()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var before = await table.ReadAllAsync(Cancellation);
        var updated = entry with
        {
            GatewayPort = 7000,
            Name = "renamed",
            Status = SiloStatus.Active,
            IAmAliveTime = T0.AddSeconds(30),
            Suspicions = [new SuspectVote(new SiloAddress("10.0.0.9", 11111, 9), T0.AddSeconds(29))],
        };

        Assert.True(await table.UpdateRowAsync(updated, before.Rows[0].ETag, before.Version, Cancellation));

        var after = await table.ReadAllAsync(Cancellation);
        Assert.Equal(before.Version + 1, after.Version);
        var row = Assert.Single(after.Rows);
        Assert.NotEqual(before.Rows[0].ETag, row.ETag);
        AssertSameEntry(updated, row.Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateIAmAlive_ChangesOnlyTheHeartbeat_NotTheETagOrVersion()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        var other = Entry("10.0.0.2");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        Assert.True(await table.InsertRowAsync(other, 1, Cancellation));
        var before = await table.ReadAllAsync(Cancellation);
        var heartbeat = T0.AddMinutes(5).AddMilliseconds(250);

        await table.UpdateIAmAliveAsync(entry.Silo, heartbeat, Cancellation);

        var after = await table.ReadAllAsync(Cancellation);
        Assert.Equal(before.Version, after.Version);
        var row = after.Find(entry.Silo);
        Assert.NotNull(row);
        Assert.Equal(before.Find(entry.Silo)?.ETag, row.ETag);
        AssertSameEntry(entry with { IAmAliveTime = heartbeat }, row.Entry);
        var otherRow = after.Find(other.Silo);
        Assert.NotNull(otherRow);
        Assert.Equal(before.Find(other.Silo)?.ETag, otherRow.ETag);
        AssertSameEntry(other, otherRow.Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task UpdateIAmAlive_OfASiloWithoutARow_ChangesNothing()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));

        await table.UpdateIAmAliveAsync(Entry("10.0.0.2").Silo, T0.AddMinutes(1), Cancellation);

        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(1, snapshot.Version);
        AssertSameEntry(entry, Assert.Single(snapshot.Rows).Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConcurrentInserts_WithTheSameExpectedVersion_ExactlyOneWins()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(Entry("10.0.0.100"), 0, Cancellation));
        var entries = Enumerable.Range(1, Racers).Select(i => Entry("10.0.1." + i)).ToArray();

        var results = await Task.WhenAll(entries.Select(e => table.InsertRowAsync(e, 1, Cancellation)));

        Assert.Equal(1, results.Count(won => won));
        var winner = entries[Array.IndexOf(results, true)];
        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(2, snapshot.Rows.Count);
        Assert.NotNull(snapshot.Find(winner.Silo));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ConcurrentUpdates_WithTheSameExpectedVersion_ExactlyOneWins()
    {
        var table = await CreateTableAsync();
        var entry = Entry("10.0.0.1");
        Assert.True(await table.InsertRowAsync(entry, 0, Cancellation));
        var before = await table.ReadAllAsync(Cancellation);
        var etag = before.Rows[0].ETag;
        var updates = Enumerable.Range(1, Racers).Select(i => entry with { Name = "racer-" + i, Status = SiloStatus.Active }).ToArray();

        var results = await Task.WhenAll(updates.Select(u => table.UpdateRowAsync(u, etag, before.Version, Cancellation)));

        Assert.Equal(1, results.Count(won => won));
        var winner = updates[Array.IndexOf(results, true)];
        var after = await table.ReadAllAsync(Cancellation);
        Assert.Equal(before.Version + 1, after.Version);
        AssertSameEntry(winner, Assert.Single(after.Rows).Entry);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task CleanupDead_RemovesOnlyDeadRowsOlderThanTheTime()
    {
        var table = await CreateTableAsync();
        var cutoff = T0.AddHours(1);
        var deadOld = Entry("10.0.0.1", SiloStatus.Dead, cutoff.AddMilliseconds(-1));
        var deadAtCutoff = Entry("10.0.0.2", SiloStatus.Dead, cutoff);
        var deadNew = Entry("10.0.0.3", SiloStatus.Dead, cutoff.AddMinutes(1));
        var activeOld = Entry("10.0.0.4", SiloStatus.Active, cutoff.AddHours(-1));
        var shuttingDownOld = Entry("10.0.0.5", SiloStatus.ShuttingDown, cutoff.AddHours(-1));
        var deadOlder = Entry("10.0.0.6", SiloStatus.Dead, cutoff.AddDays(-1));
        MembershipEntry[] entries = [deadOld, deadAtCutoff, deadNew, activeOld, shuttingDownOld, deadOlder];
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.True(await table.InsertRowAsync(entries[i], i, Cancellation));
        }

        var removed = await table.CleanupDeadAsync(cutoff, Cancellation);

        Assert.Equal(2, removed);
        var snapshot = await table.ReadAllAsync(Cancellation);
        Assert.Equal(
            new[] { deadAtCutoff, deadNew, activeOld, shuttingDownOld }.Select(e => e.Silo.ToString()).Order(),
            snapshot.Rows.Select(r => r.Entry.Silo.ToString()).Order());
    }

    protected static MembershipEntry Entry(string host, SiloStatus status = SiloStatus.Joining, DateTimeOffset? iAmAlive = null) => new()
    {
        Silo = new SiloAddress(host, 11111, T0.ToUnixTimeMilliseconds()),
        GatewayPort = 6379,
        Name = "silo " + host,
        Status = status,
        StartTime = T0,
        IAmAliveTime = iAmAlive ?? T0.AddSeconds(1),
    };

    /// <summary>
    /// Field by field: the record's own equality compares <see cref="MembershipEntry.Suspicions"/>
    /// by reference, and timestamps must keep their instant exactly.
    /// </summary>
    protected static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.Silo, actual.Silo);
        Assert.Equal(expected.GatewayPort, actual.GatewayPort);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.StartTime.UtcTicks, actual.StartTime.UtcTicks);
        Assert.Equal(expected.IAmAliveTime.UtcTicks, actual.IAmAliveTime.UtcTicks);
        Assert.Equal(
            expected.Suspicions.Select(v => (v.Voter, v.Time.UtcTicks)),
            actual.Suspicions.Select(v => (v.Voter, v.Time.UtcTicks)));
    }
}

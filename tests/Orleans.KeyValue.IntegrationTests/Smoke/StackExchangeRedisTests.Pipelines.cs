using System.Globalization;
using StackExchange.Redis;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>Batches, pipelining and transactions.</summary>
public abstract partial class StackExchangeRedisTests
{
    [Fact(Timeout = Timeout)]
    public async Task Batch_OfManyCommands_CompletesEveryOne()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var sets = new List<Task<bool>>();
        var gets = new List<Task<RedisValue>>();
        var increments = new List<Task<long>>();
        for (var i = 0; i < 300; i++)
        {
            var key = Key("b" + i.ToString(CultureInfo.InvariantCulture));
            sets.Add(batch.StringSetAsync(key, i));
            gets.Add(batch.StringGetAsync(key));
            increments.Add(batch.StringIncrementAsync(key, 1000));
        }

        var deleted = batch.KeyDeleteAsync(Key("b0"));
        batch.Execute();

        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long?)i), (await Task.WhenAll(gets)).Select(v => (long?)v));
        Assert.Equal(Enumerable.Range(1000, 300).Select(i => (long)i), await Task.WhenAll(increments));
        Assert.True(await deleted);
        Assert.Equal("1299", (string?)await db.StringGetAsync(Key("b299")));
    }

    /// <summary>
    /// A thousand commands sent before any reply: INCRs of one key answer 1..1000 in the order
    /// sent, with writes of other keys (other slots, other silos) in flight between them.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task Pipelining_ThousandsOfAsyncCommandsAtOnce_AnswerInOrder()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var counter = Key("counter");
        var increments = new Task<long>[1000];
        var sets = new Task<bool>[1000];
        for (var i = 0; i < increments.Length; i++)
        {
            increments[i] = db.StringIncrementAsync(counter);
            sets[i] = db.StringSetAsync(Key("p" + i.ToString(CultureInfo.InvariantCulture)), i);
        }

        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), await Task.WhenAll(increments));
        Assert.All(await Task.WhenAll(sets), Assert.True);
        var values = await db.StringGetAsync([.. Enumerable.Range(0, 1000).Select(i => Key("p" + i.ToString(CultureInfo.InvariantCulture)))]);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long?)i), values.Select(v => (long?)v));
    }

    // Transactions: WATCH, MULTI, EXEC (keys of one slot, as Redis Cluster requires). These
    // tests are about the WATCH transaction itself, not the 8.4 single-command form SER301 suggests.
#pragma warning disable SER301

    /// <summary>
    /// The client checks its condition itself (WATCH, then EXISTS) and, when it holds, pipelines
    /// MULTI, the queued commands and EXEC: both writes are applied, atomically.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task Transaction_WhoseConditionHolds_AppliesEveryWrite()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = TaggedKey("tx", "t");
        var counter = TaggedKey("tx", "n");
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists(key));
        var set = transaction.StringSetAsync(key, "1");
        var increment = transaction.StringIncrementAsync(counter);

        Assert.True(await transaction.ExecuteAsync());
        Assert.True(await set);
        Assert.Equal(1, await increment);
        Assert.Equal("1", (string?)await db.StringGetAsync(key));
        Assert.Equal("1", (string?)await db.StringGetAsync(counter));
    }

    /// <summary>When the condition fails the client sends UNWATCH and no MULTI: false, and nothing is written.</summary>
    [Fact(Timeout = Timeout)]
    public async Task Transaction_WhoseConditionFails_WritesNothing()
    {
        await using var redis = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("t");
        Assert.True(await db.StringSetAsync(key, "old"));
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual(key, "other"));
        _ = transaction.StringSetAsync(key, "new");

        Assert.False(await transaction.ExecuteAsync());
        Assert.True(redis.IsConnected);
        Assert.Equal("old", (string?)await db.StringGetAsync(key));
    }

    /// <summary>A key changed by another client between the client's WATCH and its EXEC: the transaction reports false and writes nothing.</summary>
    [Fact(Timeout = Timeout)]
    public async Task Transaction_WhoseWatchedKeyChangesMeanwhile_IsNotApplied()
    {
        await using var redis = await ConnectAsync();
        await using var other = await ConnectAsync();
        var db = redis.GetDatabase();
        var key = Key("w");
        Assert.True(await db.StringSetAsync(key, "v1"));
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual(key, "v1"));
        _ = transaction.StringSetAsync(key, "mine");

        // The condition is read when the transaction executes; a change made after that read
        // and before EXEC must abort it. Racing it from outside is not deterministic, so the
        // change here comes first and fails the condition; the raw WATCH race is in TransactionTests.
        Assert.True(await other.GetDatabase().StringSetAsync(key, "v2"));
        Assert.False(await transaction.ExecuteAsync());
        Assert.Equal("v2", (string?)await db.StringGetAsync(key));
    }
#pragma warning restore SER301
}

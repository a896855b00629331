using Orleans.KeyValue.Testing.Linearizability;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>
/// The checker on hand-built histories (explicit timestamps), on random ones linearizable by
/// construction and then corrupted, and on tiny random ones against a brute-force oracle. Each check
/// has a budget: a search that runs away fails as TimedOut instead of hanging the run.
/// </summary>
public sealed partial class LinearizabilityCheckerTests
{
    private const string Key = "k";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public void EmptyHistory_IsLinearizable()
    {
        var result = Check();

        AssertLinearizable(result);
        Assert.Empty(result.Keys);
    }

    [Fact]
    public void SequentialHistoryFollowingTheRegister_IsLinearizable()
    {
        AssertLinearizable(Check(
            Get(1, null, 0, 1),
            Set(1, "a", 2, 3),
            Get(1, "a", 4, 5),
            SetNx(1, "b", applied: false, 6, 7),
            Del(1, 1, 8, 9),
            Get(1, null, 10, 11),
            Del(1, 0, 12, 13),
            SetNx(1, "c", applied: true, 14, 15),
            SetIfEq(1, "c", "d", applied: true, 16, 17),
            SetIfEq(1, "c", "e", applied: false, 18, 19),
            Get(1, "d", 20, 21)));
    }

    [Fact]
    public void SequentialReadAfterDelete_ReturningTheDeletedValue_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Del(1, 1, 2, 3),
            Get(1, "a", 4, 5)));
    }

    [Fact]
    public void SequentialHistory_GivenOutOfOrder_IsJudgedByTimestamps()
    {
        AssertLinearizable(Check(
            Get(1, "b", 4, 5),
            Set(1, "b", 2, 3),
            Set(1, "a", 0, 1)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public void ConcurrentWrites_ReadAfterBoth_SeesEitherValue(string seen)
    {
        AssertLinearizable(Check(
            Set(1, "a", 0, 10),
            Set(2, "b", 1, 9),
            Get(3, seen, 11, 12)));
    }

    [Fact]
    public void ConcurrentWrites_ConcurrentReadsSeeingDifferentOrders_AreLinearizable()
    {
        // SET a, GET a, SET b, GET b fits every interval, and so does SET b, GET b, SET a, GET a.
        AssertLinearizable(Check(
            Set(1, "a", 0, 10),
            Set(2, "b", 0, 10),
            Get(3, "a", 1, 9),
            Get(4, "b", 1, 9)));
    }

    [Fact]
    public void ReadOfValueNeverWritten_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 10),
            Get(2, "z", 1, 9)));
    }

    [Fact]
    public void StaleReadAfterCompletedWrite_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Set(1, "b", 2, 3),
            Get(2, "a", 4, 5)));
    }

    [Fact]
    public void StaleRead_ExplanationNamesTheReadAndTheWritesAroundIt()
    {
        var stale = Get(2, "a", 4, 5);

        var key = Check(Set(1, "a", 0, 1), Set(1, "b", 2, 3), stale).For(Key);

        Assert.Same(stale, Assert.Single(key.Unplaceable));
        Assert.Contains(
            "#2 client 2: GET -> \"a\" @ [4, 5]: a stale read: the last write of it is #0 client 1: SET \"a\" -> OK @ [0, 1], "
                + "then #1 client 1: SET \"b\" -> OK @ [2, 3] replaced it, all before the read began",
            key.Explanation,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOfValueNeverWritten_ExplanationNamesTheRead()
    {
        var read = Get(2, "z", 2, 3);

        var key = Check(Set(1, "a", 0, 1), read).For(Key);

        Assert.Same(read, Assert.Single(key.Unplaceable));
        Assert.Contains("#1 client 2: GET -> \"z\" @ [2, 3]: nothing that writes \"z\" was invoked before it completed", key.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void ViolationFoundBySearch_ExplanationShowsThePrefixAndWhyNothingCanFollow()
    {
        var set = Set(1, "a", 0, 1);
        var overwrite = Set(1, "b", 2, 20);
        var newRead = Get(2, "b", 3, 4);

        var key = Check(set, overwrite, newRead, Get(3, "a", 5, 6)).For(Key);

        Assert.Equal(LinearizabilityVerdict.NotLinearizable, key.Verdict);
        Assert.Same(set, Assert.Single(key.LongestPrefix));
        Assert.Equal([overwrite, newRead], key.Unplaceable);
        Assert.Contains(
            "#1 client 1: SET \"b\" -> OK @ [2, 20]: it replaces \"a\" for good, yet #3 client 3: GET -> \"a\" @ [5, 6] has still to read it",
            key.Explanation,
            StringComparison.Ordinal);
        Assert.Contains("#2 client 2: GET -> \"b\" @ [3, 4]: read \"b\" but the key holds \"a\"", key.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsSeeingNewThenOld_WhenSecondStartsAfterFirstCompletes_AreNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Set(1, "b", 2, 20),
            Get(2, "b", 3, 4),
            Get(3, "a", 5, 6)));
    }

    [Fact]
    public void ReadsSeeingNewThenOld_WhenTheyOverlap_AreLinearizable()
    {
        // GET a, then SET b, then GET b, all inside [5, 6].
        AssertLinearizable(Check(
            Set(1, "a", 0, 1),
            Set(1, "b", 2, 20),
            Get(2, "b", 3, 6),
            Get(3, "a", 5, 7)));
    }

    [Fact]
    public void OperationsMeetingAtOneTick_AreConcurrent()
    {
        // The GET was invoked at the tick the SET completed: the clock cannot tell which came first.
        AssertLinearizable(Check(
            Set(1, "a", 0, 5),
            Get(2, null, 5, 6)));
    }

    [Fact]
    public void SetNx_BothSucceedingOnMissingKeyConcurrently_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            SetNx(1, "a", applied: true, 0, 10),
            SetNx(2, "b", applied: true, 1, 9)));
    }

    [Fact]
    public void SetNx_OneSucceedsOneNil_AndReadSeesTheWinner_IsLinearizable()
    {
        AssertLinearizable(Check(
            SetNx(1, "a", applied: false, 0, 10),
            SetNx(2, "b", applied: true, 1, 9),
            Get(3, "b", 11, 12)));
    }

    [Fact]
    public void SetNx_ReadSeesTheLoser_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            SetNx(1, "a", applied: false, 0, 10),
            SetNx(2, "b", applied: true, 1, 9),
            Get(3, "a", 11, 12)));
    }

    [Fact]
    public void Del_BothReturningOneAfterASingleSet_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Del(2, 1, 2, 10),
            Del(3, 1, 3, 9)));
    }

    [Fact]
    public void Del_OneReturningOneAndOneZero_IsLinearizable()
    {
        AssertLinearizable(Check(
            Set(1, "a", 0, 1),
            Del(2, 0, 2, 10),
            Del(3, 1, 3, 9)));
    }

    [Fact]
    public void SetIfEqChain_EachMatchingThePreviousValue_IsLinearizable()
    {
        // v0 -> v1 (client 1), then client 2's IFEQ v0 finds v1, then v1 -> v3 (client 3).
        AssertLinearizable(Check(
            Set(1, "v0", 0, 1),
            SetIfEq(3, "v1", "v3", applied: true, 2, 10),
            SetIfEq(2, "v0", "v2", applied: false, 2, 10),
            SetIfEq(1, "v0", "v1", applied: true, 2, 10),
            Get(4, "v3", 11, 12)));
    }

    [Fact]
    public void SetIfEq_TwoSucceedingOnTheSameExpectedValue_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "v0", 0, 1),
            SetIfEq(1, "v0", "v1", applied: true, 2, 10),
            SetIfEq(2, "v0", "v2", applied: true, 2, 10)));
    }

    [Fact]
    public void SetIfEq_SucceedingOnMissingKey_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(SetIfEq(1, "v0", "v1", applied: true, 0, 1)));
    }

    [Fact]
    public void SetIfEq_NilWhileKeyHeldTheExpectedValue_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "v0", 0, 1),
            SetIfEq(1, "v0", "v1", applied: false, 2, 3)));
    }

    [Theory]
    [InlineData(OperationKind.Set, "nil")]
    [InlineData(OperationKind.Del, "2")]
    [InlineData(OperationKind.SetNx, "bulk")]
    public void ReplyTheCommandNeverGives_IsNotLinearizable(OperationKind kind, string reply)
    {
        var operation = new HistoryOperation
        {
            ClientId = 1,
            Key = Key,
            Kind = kind,
            Value = kind == OperationKind.Del ? null : "a",
            InvokeTime = 0,
            CompleteTime = 1,
            Outcome = OperationOutcome.Ok,
            Result = reply switch
            {
                "nil" => OperationResult.Nil,
                "2" => OperationResult.Integer(2),
                _ => OperationResult.Bulk("a"),
            },
        };

        AssertNotLinearizable(Check(operation));
    }

    [Fact]
    public void UnknownWrite_WhoseValueIsLaterRead_IsLinearizable()
    {
        AssertLinearizable(Check(
            Set(1, "a", 0, 1),
            Unknown(Set(2, "b", 2, 3)),
            Get(3, "b", 10, 11),
            Get(3, "b", 12, 13)));
    }

    [Fact]
    public void UnknownWrite_NeverObserved_IsLinearizable()
    {
        AssertLinearizable(Check(
            Set(1, "a", 0, 1),
            Unknown(Set(2, "b", 2, 3)),
            Get(3, "a", 10, 11),
            Get(3, "a", 12, 13)));
    }

    [Fact]
    public void UnknownWrite_ObservedThenUnseen_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Unknown(Set(2, "b", 2, 3)),
            Get(3, "b", 10, 11),
            Get(3, "a", 12, 13)));
    }

    [Fact]
    public void UnknownWrite_ReadBeforeItsInvocation_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Get(1, "b", 0, 1),
            Unknown(Set(2, "b", 2, 3))));
    }

    [Fact]
    public void UnknownDel_MayHaveRemovedTheKey()
    {
        AssertLinearizable(Check(
            Set(1, "a", 0, 1),
            Unknown(Del(2, 1, 2, 3)),
            Get(3, null, 10, 11)));
    }

    [Fact]
    public void FailedWrite_WhoseValueIsRead_IsNotLinearizable()
    {
        AssertNotLinearizable(Check(
            Set(1, "a", 0, 1),
            Failed(Set(2, "b", 2, 3)),
            Get(3, "b", 10, 11)));
    }

    [Fact]
    public void SeveralKeys_OnlyTheBadKeyIsReported()
    {
        var result = Check(
            Set(1, "a", 0, 1, "x"),
            Set(1, "a", 0, 1, "y"),
            Set(1, "a", 0, 1, "z"),
            Set(2, "b", 2, 3, "x"),
            Set(2, "b", 2, 3, "y"),
            Get(3, "b", 4, 5, "x"),
            Get(3, "a", 4, 5, "y"),
            Get(3, "a", 4, 5, "z"));

        Assert.Equal(["x", "y", "z"], result.Keys.Select(k => k.Key));
        Assert.Equal("y", Assert.Single(result.Violations).Key);
        Assert.Equal(LinearizabilityVerdict.Linearizable, result.For("x").Verdict);
        Assert.Equal(LinearizabilityVerdict.Linearizable, result.For("z").Verdict);
        Assert.Contains("Key \"y\": not linearizable", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SpentBudget_IsReportedAsTimedOut()
    {
        // The search reads the clock on its first step, and by then some time has passed.
        var result = LinearizabilityChecker.Check([Set(1, "a", 0, 1)], TimeSpan.Zero);

        Assert.Equal(LinearizabilityVerdict.TimedOut, result.Verdict);
        Assert.Equal(Key, Assert.Single(result.Undecided).Key);
    }

    [Fact]
    public void SetWithoutValue_IsRejected()
    {
        var operation = Set(1, "a", 0, 1) with { Value = null };

        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([operation]));
    }

    private static LinearizabilityResult Check(params HistoryOperation[] history) => LinearizabilityChecker.Check(history, Budget);

    private static void AssertLinearizable(LinearizabilityResult result) =>
        Assert.True(result.IsLinearizable, result.ToString());

    private static void AssertNotLinearizable(LinearizabilityResult result) =>
        Assert.True(result.Verdict == LinearizabilityVerdict.NotLinearizable, result.ToString());

    private static HistoryOperation Replied(int client, OperationKind kind, long invoke, long complete, OperationResult result, string key) => new()
    {
        ClientId = client,
        Key = key,
        Kind = kind,
        InvokeTime = invoke,
        CompleteTime = complete,
        Outcome = OperationOutcome.Ok,
        Result = result,
    };

    private static HistoryOperation Set(int client, string value, long invoke, long complete, string key = Key) =>
        Replied(client, OperationKind.Set, invoke, complete, OperationResult.Ok, key) with { Value = value };

    private static HistoryOperation Get(int client, string? seen, long invoke, long complete, string key = Key) =>
        Replied(client, OperationKind.Get, invoke, complete, OperationResult.Value(seen), key);

    private static HistoryOperation SetNx(int client, string value, bool applied, long invoke, long complete) =>
        Replied(client, OperationKind.SetNx, invoke, complete, applied ? OperationResult.Ok : OperationResult.Nil, Key) with { Value = value };

    private static HistoryOperation Del(int client, long removed, long invoke, long complete) =>
        Replied(client, OperationKind.Del, invoke, complete, OperationResult.Integer(removed), Key);

    private static HistoryOperation SetIfEq(int client, string expected, string value, bool applied, long invoke, long complete) =>
        Replied(client, OperationKind.SetIfEq, invoke, complete, applied ? OperationResult.Ok : OperationResult.Nil, Key) with { Value = value, Expected = expected };

    private static HistoryOperation Unknown(HistoryOperation operation) =>
        operation with { Outcome = OperationOutcome.Unknown, Result = default, CompleteTime = long.MaxValue };

    private static HistoryOperation Failed(HistoryOperation operation) =>
        operation with { Outcome = OperationOutcome.Failed, Result = default };
}

using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Testing.Linearizability;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

public sealed class HistoryRecorderTests
{
    [Fact]
    public void Complete_RecordsTheReplyBetweenInvocationAndCompletion()
    {
        var clock = new FakeTimeProvider();
        var recorder = new HistoryRecorder(clock);

        var invoked = recorder.Invoke(3, "k", OperationKind.Set, "a");
        clock.Advance(TimeSpan.FromMilliseconds(5));
        recorder.Complete(invoked, OperationResult.Ok);

        var operation = Assert.Single(recorder.History);
        Assert.Equal(OperationOutcome.Ok, operation.Outcome);
        Assert.Equal(OperationResult.Ok, operation.Result);
        Assert.Equal(3, operation.ClientId);
        Assert.Equal("a", operation.Value);
        Assert.True(operation.CompleteTime > operation.InvokeTime);
    }

    [Fact]
    public void OperationNeverCompleted_IsUnknown()
    {
        var recorder = new HistoryRecorder(new FakeTimeProvider());

        recorder.Invoke(1, "k", OperationKind.Del);

        Assert.Equal(OperationOutcome.Unknown, Assert.Single(recorder.History).Outcome);
    }

    [Fact]
    public void Fail_RecordsFailed()
    {
        var recorder = new HistoryRecorder(new FakeTimeProvider());

        recorder.Fail(recorder.Invoke(1, "k", OperationKind.SetIfEq, "b", expected: "a"));

        Assert.Equal(OperationOutcome.Failed, Assert.Single(recorder.History).Outcome);
    }

    [Fact]
    public void SecondOutcome_Throws()
    {
        var recorder = new HistoryRecorder(new FakeTimeProvider());
        var invoked = recorder.Invoke(1, "k", OperationKind.Get);
        recorder.Complete(invoked, OperationResult.Nil);

        Assert.Throws<InvalidOperationException>(() => recorder.Unknown(invoked));
    }

    [Fact]
    public void InvokeWithArgumentsThatDoNotFitTheCommand_Throws()
    {
        var recorder = new HistoryRecorder(new FakeTimeProvider());

        Assert.Throws<ArgumentException>(() => recorder.Invoke(1, "k", OperationKind.Set));
    }

    [Fact]
    public void ConcurrentClients_RecordEveryOperationInInvocationOrder()
    {
        var recorder = new HistoryRecorder();

        Parallel.For(0, 8, client =>
        {
            for (var i = 0; i < 500; i++)
            {
                recorder.Complete(recorder.Invoke(client, "k", OperationKind.Get), OperationResult.Nil);
            }
        });

        var history = recorder.History;
        Assert.Equal(4000, history.Count);
        Assert.All(history, o => Assert.True(o.Outcome == OperationOutcome.Ok && o.CompleteTime >= o.InvokeTime));
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.InvokeTime <= p.Second.InvokeTime));
        Assert.True(LinearizabilityChecker.Check(history).IsLinearizable);
    }
}

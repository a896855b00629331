using Orleans.KeyValue.Runtime.Cluster;

namespace Orleans.KeyValue.Runtime.Tests.Cluster;

public sealed class SlotTableTests
{
    private const int Slot = 1234;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Fill_OfAQuietSlot_HoldsCommandsBackUntilItEnds()
    {
        var table = new SlotTable();
        table.Serve(Slot);

        var token = await table.BeginFillAsync(Slot, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Bound);
        Assert.NotEqual(0, token);
        Assert.False(table.TryEnter(Slot, out var settled));
        Assert.NotNull(settled);
        Assert.False(settled.IsCompleted);

        table.EndFill(Slot, token);
        await settled.WaitAsync(Bound);
        Assert.True(table.TryEnter(Slot, out _));
        table.Exit(Slot);
    }

    // Found by bench/fuzz.sh: a command inside the slot (the router's entry) whose grain waits at
    // its gate while the slot is held; holds taken one after another starved it for seconds.
    [Fact]
    public async Task Hold_GivesWayAtOnce_WhenACommandReachesItsGrainsGate()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        Assert.True(table.TryEnter(Slot, out _));

        // A drain limit far past the bound: only giving way at once ends this in time.
        var hold = table.TryHoldAsync(Slot, TimeSpan.FromMinutes(5), CancellationToken.None);
        table.WaitAtGate(Slot);
        Assert.Equal(0, await hold.WaitAsync(Bound));
        Assert.True(table.IsServed(Slot) && !table.IsFilling(Slot));
        table.LeaveGate(Slot);
        table.Exit(Slot);
    }

    [Fact]
    public async Task Hold_LetsCommandsWaitingAtTheGateInFirst()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        table.WaitAtGate(Slot);

        var hold = table.TryHoldAsync(Slot, TimeSpan.FromMinutes(5), CancellationToken.None);
        for (var i = 0; i < 200; i++)
        {
            await Task.Yield();
        }

        // Not held while a command waits at the gate: it enters.
        Assert.False(hold.IsCompleted);
        Assert.True(table.TryEnter(Slot, out _));
        table.LeaveGate(Slot);
        table.Exit(Slot);
        var token = await hold.WaitAsync(Bound);
        Assert.NotEqual(0, token);
        table.ReleaseHold(Slot, token);
    }

    [Fact]
    public async Task Fill_WaitsForTheCommandInside()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        Assert.True(table.TryEnter(Slot, out _));

        var fill = table.BeginFillAsync(Slot, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(fill.IsCompleted);

        table.Exit(Slot);
        var token = await fill.WaitAsync(Bound);
        Assert.NotEqual(0, token);
        table.EndFill(Slot, token);
    }

    // The lock trial's hang: a RESP command entered the slot, then its key's grain found the slot
    // filling and waited for the fill, while the fill waited for the command. The fill gives way.
    [Fact]
    public async Task Fill_WhoseCommandInsideWaitsForIt_GivesWayInsteadOfWaitingForever()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        Assert.True(table.TryEnter(Slot, out _)); // the RESP command

        var fill = table.BeginFillAsync(Slot, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        // The grain's turn of the same command: the slot is filling, so it waits for the fill.
        Assert.False(table.TryEnter(Slot, out var settled));
        Assert.True(table.IsFilling(Slot));
        Assert.NotNull(settled);

        Assert.Equal(0, await fill.WaitAsync(Bound));
        await settled.WaitAsync(Bound);
        Assert.False(table.IsFilling(Slot));
        Assert.True(table.TryEnter(Slot, out _)); // the grain's turn runs
        table.Exit(Slot);
        table.Exit(Slot); // the RESP command ends

        // Tried again later, the fill gets the slot.
        var again = await table.BeginFillAsync(Slot, TimeSpan.FromMilliseconds(100), CancellationToken.None).WaitAsync(Bound);
        Assert.NotEqual(0, again);
        table.EndFill(Slot, again);
    }

    [Fact]
    public async Task Fill_CancelledWhileDraining_LetsCommandsInAgain()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        Assert.True(table.TryEnter(Slot, out _));
        using var cancel = new CancellationTokenSource();

        var fill = table.BeginFillAsync(Slot, TimeSpan.FromSeconds(30), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fill.WaitAsync(Bound));
        Assert.False(table.IsFilling(Slot));
        Assert.True(table.TryEnter(Slot, out _));
        table.Exit(Slot);
        table.Exit(Slot);
    }

    [Fact]
    public async Task Fill_OfASlotNotServed_HoldsNothing()
    {
        var table = new SlotTable();

        Assert.Equal(0, await table.BeginFillAsync(Slot, TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(Bound));
        Assert.False(table.IsFilling(Slot));
    }

    // The review's case: a fill that outlives a move of its slot and the slot's return must not
    // end the hold that has the slot now.
    [Fact]
    public async Task Fill_ThatOutlivesAMoveAndReturn_DoesNotEndTheHoldThatHasTheSlotNow()
    {
        var table = new SlotTable();
        table.Serve(Slot);
        var oldFill = await table.BeginFillAsync(Slot, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Bound);
        Assert.NotEqual(0, oldFill);

        Assert.Null(await table.BeginMoveAsync(Slot, CancellationToken.None).WaitAsync(Bound));
        table.Drop(Slot);
        table.Serve(Slot);
        var hold = await table.TryHoldAsync(Slot, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Bound);
        Assert.NotEqual(0, hold);

        table.EndFill(Slot, oldFill);
        Assert.True(table.IsFilling(Slot));
        Assert.False(table.TryEnter(Slot, out _));

        table.ReleaseHold(Slot, hold);
        Assert.True(table.TryEnter(Slot, out _));
        table.Exit(Slot);
    }
}

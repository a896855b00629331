using Orleans.KeyValue.Gateway.Commands;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

public sealed class SlotLocksTests
{
    [Fact(Timeout = 10_000)]
    public async Task Enter_WhileTheSlotIsHeld_WaitsForExit()
    {
        var locks = new SlotLocks();
        await locks.EnterAsync(7);
        var second = locks.EnterAsync(7);
        Assert.False(second.IsCompleted);

        locks.Exit(7);
        await second;
        locks.Exit(7);
    }

    [Fact(Timeout = 10_000)]
    public async Task Enter_OfAnotherSlot_DoesNotWait()
    {
        var locks = new SlotLocks();
        await locks.EnterAsync(7);
        Assert.True(locks.EnterAsync(8).IsCompletedSuccessfully);
        locks.Exit(8);
        locks.Exit(7);
    }
}

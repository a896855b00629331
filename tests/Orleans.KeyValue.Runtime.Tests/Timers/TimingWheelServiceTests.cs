using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Runtime.Tests.Timers;

public sealed class TimingWheelServiceTests
{
    private sealed class RecordingHandler : IDeadlineHandler
    {
        public List<string> Fired { get; } = [];

        public void OnDeadline(byte[] key, long deadlineMs) => Fired.Add(Encoding.UTF8.GetString(key));
    }

    [Fact(Timeout = 10_000)]
    public async Task AdvancingTheClock_FiresDueDeadlinesThroughTheHandler()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var wheel = new TimingWheel(now, 10, 64);
        var handler = new RecordingHandler();
        using var service = new TimingWheelService(wheel, time, handler, Options.Create(new TimingWheelOptions { Tick = TimeSpan.FromMilliseconds(10) }), NullLogger<TimingWheelService>.Instance);
        await service.StartAsync(CancellationToken.None);
        wheel.Schedule(Encoding.UTF8.GetBytes("soon"), now + 50);
        wheel.Schedule(Encoding.UTF8.GetBytes("later"), now + 5000);

        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(["soon"], handler.Fired);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["soon", "later"], handler.Fired);
        Assert.Equal(2, service.FiredTotal);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact(Timeout = 10_000)]
    public async Task AMassExpiry_IsFollowedByOneCompaction_OnceTheWheelIsQuiet()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var wheel = new TimingWheel(now, 10, 64);
        var handler = new RecordingHandler();
        var options = new TimingWheelOptions { Tick = TimeSpan.FromMilliseconds(10), CompactAfterDeadlines = 100 };
        using var service = new TimingWheelService(wheel, time, handler, Options.Create(options), NullLogger<TimingWheelService>.Instance);
        await service.StartAsync(CancellationToken.None);
        for (var i = 0; i < 150; i++)
        {
            wheel.Schedule(Encoding.UTF8.GetBytes("k" + i), now + 20 + (i % 3 * 10));
        }

        wheel.Schedule(Encoding.UTF8.GetBytes("few"), now + 2000);

        // The burst fires over a few ticks; the first quiet tick after it compacts, once.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(150, handler.Fired.Count);
        Assert.Equal(1, service.Compactions);

        // A handful of deadlines later is no burst.
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(151, handler.Fired.Count);
        Assert.Equal(1, service.Compactions);
        await service.StopAsync(CancellationToken.None);
    }
}

using System.Text;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Runtime.Tests.Timers;

public sealed class TimingWheelTests
{
    private const long Start = 1_000_000;

    private static byte[] K(string key) => Encoding.UTF8.GetBytes(key);

    private static List<(byte[] Key, long DeadlineMs)> Advance(TimingWheel wheel, long now)
    {
        var due = new List<(byte[] Key, long DeadlineMs)>();
        wheel.Advance(now, due);
        return due;
    }

    [Fact]
    public void Deadline_FiresOnlyOnceTheClockIsPastIt()
    {
        var wheel = new TimingWheel(Start, tickMs: 1, slots: 64);
        wheel.Schedule(K("a"), Start + 10);

        Assert.Empty(Advance(wheel, Start + 10)); // Redis: expired when now > deadline
        var due = Advance(wheel, Start + 11);

        Assert.Single(due);
        Assert.Equal(Start + 10, due[0].DeadlineMs);
        Assert.Empty(Advance(wheel, Start + 1000));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Deadline_BeyondOneRotation_WaitsForItsOwnRotation()
    {
        var wheel = new TimingWheel(Start, tickMs: 10, slots: 16); // 160 ms per rotation
        wheel.Schedule(K("far"), Start + 1000);

        for (var now = Start + 10; now <= Start + 1000; now += 10)
        {
            Assert.Empty(Advance(wheel, now));
        }

        Assert.Single(Advance(wheel, Start + 1010));
    }

    [Fact]
    public void DeadlineAlreadyPast_FiresAtTheNextAdvance()
    {
        var wheel = new TimingWheel(Start, tickMs: 10, slots: 16);
        Advance(wheel, Start + 500);

        wheel.Schedule(K("late"), Start + 100);

        Assert.Single(Advance(wheel, Start + 510));
    }

    [Fact]
    public void LongPause_FiresEveryDueDeadlineExactlyOnce()
    {
        var wheel = new TimingWheel(Start, tickMs: 1, slots: 32);
        for (var i = 0; i < 1000; i++)
        {
            wheel.Schedule(K("k" + i), Start + i);
        }

        wheel.Schedule(K("later"), Start + 100_000);
        var due = Advance(wheel, Start + 50_000);

        Assert.Equal(1000, due.Count);
        Assert.Equal(1000, due.Select(d => Encoding.UTF8.GetString(d.Key)).Distinct().Count());
        Assert.Equal(1, wheel.Count);
    }

    [Fact]
    public void EveryDeadline_FiresNoEarlierThanDue_AndNoLaterThanOneTick()
    {
        var random = new Random(42);
        const long tick = 10;
        var wheel = new TimingWheel(Start, tick, slots: 64);
        var deadlines = Enumerable.Range(0, 5000).Select(i => Start + random.NextInt64(1, 20_000)).ToArray();
        for (var i = 0; i < deadlines.Length; i++)
        {
            wheel.Schedule(K(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), deadlines[i]);
        }

        var fired = 0;
        for (var now = Start; now <= Start + 21_000; now += 7)
        {
            foreach (var (_, deadline) in Advance(wheel, now))
            {
                Assert.True(now > deadline, $"fired at {now} before deadline {deadline}");
                Assert.True(now <= deadline + tick + 7, $"fired at {now}, long after deadline {deadline}");
                fired++;
            }
        }

        Assert.Equal(deadlines.Length, fired);
    }
}

using System.Globalization;
using Orleans.KeyValue.Testing.Linearizability;

namespace Orleans.KeyValue.IntegrationTests.Linearizability;

/// <summary>Random histories: linearizable by construction, corrupted, against brute force, and large.</summary>
public sealed partial class LinearizabilityCheckerTests
{
    [Fact]
    public void RandomHistoriesBuiltFromASequentialOrder_AreLinearizable()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var history = RandomHistory(seed);

            var result = LinearizabilityChecker.Check(history, Budget);

            Assert.True(result.IsLinearizable, Seeded(seed, result));
        }
    }

    [Fact]
    public void RandomHistoriesWithOneImpossibleRead_AreNotLinearizable()
    {
        var checkedHistories = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var corrupted = RandomRegisterHistory.CorruptOneRead(RandomHistory(seed), new Random(seed));
            if (corrupted is null)
            {
                continue;
            }

            var result = LinearizabilityChecker.Check(corrupted, Budget);

            Assert.True(result.Verdict == LinearizabilityVerdict.NotLinearizable, Seeded(seed, result));
            checkedHistories++;
        }

        Assert.True(checkedHistories > 150, $"Only {checkedHistories} histories had a read to corrupt.");
    }

    [Fact]
    public void RandomHistoriesWithReadsGoingBackInTime_AreNotLinearizable()
    {
        // Timestamps alone need not show this violation: many of these are proved by the search.
        var checkedHistories = 0;
        for (var seed = 0; seed < 1000 && checkedHistories < 100; seed++)
        {
            var random = new Random(seed);
            var history = RandomRegisterHistory.Generate(
                random,
                clients: random.Next(3, 7),
                operationsPerClient: random.Next(10, 30),
                maxSpan: random.Next(20, 60),
                unknownRate: 0.05,
                failedRate: 0.05);
            var corrupted = RandomRegisterHistory.CorruptReadsToGoBack(history);
            if (corrupted is null)
            {
                continue;
            }

            var result = LinearizabilityChecker.Check(corrupted, Budget);

            Assert.True(result.Verdict == LinearizabilityVerdict.NotLinearizable, Seeded(seed, result));
            checkedHistories++;
        }

        Assert.Equal(100, checkedHistories);
    }

    [Fact]
    public void SmallRandomHistories_AgreeWithBruteForce()
    {
        var verdicts = new int[2];
        for (var seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            var history = BruteForceLinearizability.Generate(random, random.Next(1, 8));

            var expected = BruteForceLinearizability.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history, Budget);

            Assert.True(
                result.IsLinearizable == expected && result.Verdict != LinearizabilityVerdict.TimedOut,
                string.Create(CultureInfo.InvariantCulture, $"Seed {seed}: brute force says {(expected ? "linearizable" : "not")}, the checker: {result}\n{BruteForceLinearizability.Show(history)}"));
            verdicts[expected ? 1 : 0]++;
        }

        // Both verdicts are common, or the comparison proves little.
        Assert.True(verdicts.Min() > 500, $"Linearizable: {verdicts[1]}, not: {verdicts[0]}.");
    }

    [Fact]
    public void EightClientsOfThreeHundredOverlappingOperations_AreLinearizable()
    {
        var history = RandomRegisterHistory.Generate(
            new Random(8300),
            clients: 8,
            operationsPerClient: 300,
            maxSpan: 60,
            unknownRate: 0.01,
            failedRate: 0.01);

        var result = LinearizabilityChecker.Check(history, Budget);

        Assert.True(result.IsLinearizable, result.ToString());
    }

    private static List<HistoryOperation> RandomHistory(int seed)
    {
        var random = new Random(seed);
        return RandomRegisterHistory.Generate(
            random,
            clients: random.Next(2, 7),
            operationsPerClient: random.Next(3, 30),
            maxSpan: random.Next(1, 20),
            unknownRate: 0.05,
            failedRate: 0.05);
    }

    private static string Seeded(int seed, LinearizabilityResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"Seed {seed}: {result}");
}

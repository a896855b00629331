namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>
/// The tests that share one redis-server and one server under test. Not run in parallel with
/// other collections, so each test's time limit measures the test alone and real-time expiry
/// checks are not starved of CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DifferentialCollection : ICollectionFixture<DifferentialServersFixture>
{
    public const string Name = "Differential";
}

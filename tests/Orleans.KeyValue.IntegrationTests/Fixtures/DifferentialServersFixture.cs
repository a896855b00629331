namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>The servers of <see cref="DifferentialCollection"/>: default configuration, no password.</summary>
public sealed class DifferentialServersFixture : ServerPairFixture
{
}

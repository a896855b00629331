namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>Which server the differential tests compare with the reference redis-server.</summary>
public enum ServerTarget
{
    /// <summary>One of our silos, in-process: the real test.</summary>
    Silo,

    /// <summary>
    /// A second redis-server: every test must pass this way, which shows the test itself is
    /// deterministic (no timing or identity leaks into the compared bytes).
    /// </summary>
    Redis,
}

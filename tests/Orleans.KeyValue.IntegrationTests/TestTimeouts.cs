namespace Orleans.KeyValue.IntegrationTests;

/// <summary>Time limits for tests, in milliseconds (what <c>[Fact(Timeout = ...)]</c> takes).</summary>
internal static class TestTimeouts
{
    /// <summary>A differential test: a few commands on local servers.</summary>
    public const int Differential = 30_000;

    /// <summary>A test that runs an external client program.</summary>
    public const int ExternalClient = 60_000;
}

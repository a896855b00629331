namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>The servers of <see cref="PasswordCollection"/>: both started with <c>--requirepass</c>.</summary>
public sealed class PasswordServersFixture : ServerPairFixture
{
    public const string Password = "s3cret pass";

    protected override IReadOnlyList<string> ExtraArguments => ["--requirepass", Password];
}

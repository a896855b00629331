namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>Tests of authentication, on servers that require a password. Not run in parallel, like <see cref="DifferentialCollection"/>.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PasswordCollection : ICollectionFixture<PasswordServersFixture>
{
    public const string Name = "Password";
}

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>Tests of ACL users, on servers that have some. Not run in parallel, like <see cref="DifferentialCollection"/>.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AclCollection : ICollectionFixture<AclServersFixture>
{
    public const string Name = "Acl";
}

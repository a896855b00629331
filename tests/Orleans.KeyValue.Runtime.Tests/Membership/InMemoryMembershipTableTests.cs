using Orleans.KeyValue.Runtime.Membership;

namespace Orleans.KeyValue.Runtime.Tests.Membership;

public sealed class InMemoryMembershipTableTests : MembershipTableConformanceTests
{
    protected override async Task<IMembershipTable> CreateTableAsync()
    {
        var table = new InMemoryMembershipTable();
        await table.InitializeAsync(Cancellation);
        return table;
    }
}

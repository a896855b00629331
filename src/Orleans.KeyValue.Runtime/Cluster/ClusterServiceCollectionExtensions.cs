using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>Registers membership, the silo connection, slot gates and hand-over.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds the cluster services. The membership table follows <see cref="MembershipOptions.Provider"/>:
    /// <c>embedded</c> hosts the table here when no seeds are given and reaches a seed's
    /// otherwise; <c>postgres</c> uses the connection string.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SiloTransportOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MembershipOptions>().ValidateDataAnnotations()
            .Validate(o => o.Provider is "embedded" or "postgres", "Membership:Provider must be 'embedded' or 'postgres'.")
            .Validate(o => o.Provider != "postgres" || !string.IsNullOrWhiteSpace(o.ConnectionString), "--membership postgres needs --connection-string.")
            .Validate(o => o.SeedEndpoints.All(seed => SiloEndpoint.TryParse(seed, out _, out _)), "--seeds (Membership:Seeds) must be host:port[,host:port...] naming silo ports.")
            .ValidateOnStart();
        services.TryAddSingleton<SiloIdentity>();
        services.TryAddSingleton<SiloTransport>();
        services.TryAddSingleton<SiloConnectionHandler>();
        services.TryAddSingleton<IMembershipTable>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MembershipOptions>>().Value;
            if (options.Provider == "postgres")
            {
                return new PostgresMembershipTable(options.ConnectionString!, options.ClusterId);
            }

            return options.SeedEndpoints.Count == 0
                ? new InMemoryMembershipTable()
                : new RemoteMembershipTable(sp.GetRequiredService<SiloTransport>(), options.SeedEndpoints);
        });
        services.TryAddSingleton<MembershipService>();
        services.TryAddSingleton<SlotTable>();
        services.TryAddSingleton<HandoverService>();
        services.AddHostedService(sp =>
        {
            // Hand-over listens to the membership's view changes: make it before the first view.
            sp.GetRequiredService<HandoverService>();
            return sp.GetRequiredService<MembershipService>();
        });
        return services;
    }
}

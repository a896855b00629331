using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.KeyValue.Runtime.Membership;
using Orleans.KeyValue.Runtime.Replication;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>Registers what the store adds to Orleans's cluster: the slot view, gates, hand-over and messages.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds the cluster view over Orleans's membership, the slot gates, the hand-over and the
    /// silo-to-silo messages (an Orleans grain service, added to <paramref name="silo"/>).
    /// The view starts and stops with the silo (<see cref="ServiceLifecycleStage.Active"/>); the
    /// hand-over is made before the silo becomes Active, since other silos may hand it slots
    /// from then on.
    /// </summary>
    public static ISiloBuilder AddKeyValueCluster(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SiloTransportOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MembershipOptions>().ValidateDataAnnotations()
            .Validate(o => o.Provider is "embedded" or "postgres", "Membership:Provider must be 'embedded' or 'postgres'.")
            .Validate(o => o.Provider != "postgres" || !string.IsNullOrWhiteSpace(o.ConnectionString), "--membership postgres needs --connection-string.")
            .Validate(o => o.SeedEndpoints.All(seed => SiloEndpoint.TryParse(seed, out _, out _)), "--seeds (Membership:Seeds) must be host:port[,host:port...] naming silo ports.")
            .ValidateOnStart();
        services.TryAddSingleton<SiloIdentity>();
        services.TryAddSingleton<SiloMessenger>();
        services.TryAddSingleton<SiloMessageClient>();
        silo.AddGrainService<SiloMessageService>();
        services.TryAddSingleton<ClusterViewService>();
        services.TryAddSingleton<SlotTable>();
        services.AddOptions<ReplicationOptions>().ValidateDataAnnotations()
            .Validate(o => o.BackupTimeout > TimeSpan.Zero && o.ReadLease > TimeSpan.Zero && o.MaintenanceInterval > TimeSpan.Zero, "Replication timeouts must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<ReplicationService>();
        services.TryAddSingleton<HandoverService>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterViewService>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new MessageHandlersLifecycle<HandoverService>(sp));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new ReplicationLifecycle(sp.GetRequiredService<ReplicationService>()));
        return silo;
    }
}

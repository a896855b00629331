using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.KeyValue.Gateway.Cluster;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Runtime.Cluster;

namespace Orleans.KeyValue.Gateway;

/// <summary>The whole store on an Orleans silo, less the listening sockets (the host adds those).</summary>
public static class KeyValueSiloBuilderExtensions
{
    /// <summary>
    /// Adds key grains, the RESP command table and its cross-silo routing, and the store's cluster
    /// services (slot view, hand-over, silo messages) to <paramref name="silo"/>. The silo host
    /// and the in-process test cluster compose silos with this one call.
    /// </summary>
    public static ISiloBuilder AddKeyValueStore(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddKeyValueCluster();
        var services = silo.Services;
        services.AddRespGateway();
        services.TryAddSingleton<ClusterRouter>();

        // The executor answers forwarded commands and cross-silo keyspace operations: it exists
        // before the silo becomes Active, as the hand-over does.
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new MessageHandlersLifecycle<CommandExecutor>(sp));
        return silo;
    }
}

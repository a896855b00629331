using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Connections;
using Orleans.KeyValue.Gateway.Diagnostics;
using Orleans.KeyValue.Grains;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Gateway;

/// <summary>Registers the RESP gateway on top of the key grains.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>Adds the command executor, client registry and connection handler.</summary>
    public static IServiceCollection AddRespGateway(this IServiceCollection services)
    {
        // The silo's memory limit comes from the gateway's options (Redis's names); CONFIG SET changes it.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RespGatewayOptions>>().Value;
            return new MemoryLimit(options.MaxMemory, options.EvictionPolicy, sp.GetRequiredService<TimeProvider>())
            {
                Samples = options.MaxMemorySamples,
                LfuLogFactor = options.LfuLogFactor,
                LfuDecayTime = options.LfuDecayTime,
            };
        });
        services.AddKeyGrains();
        services.AddOptions<RespGatewayOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ClientRegistry>();
        services.TryAddSingleton<CommandStatistics>();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<CommandExecutor>();
        services.TryAddSingleton<IScriptHost>(sp => sp.GetRequiredService<CommandExecutor>());
        services.TryAddSingleton<RespConnectionHandler>();
        return services;
    }
}

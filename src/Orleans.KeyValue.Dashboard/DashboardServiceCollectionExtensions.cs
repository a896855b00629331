using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.KeyValue.Dashboard.Api;
using Orleans.KeyValue.Dashboard.Live;

namespace Orleans.KeyValue.Dashboard;

/// <summary>Registers the dashboard's services (the silo maps it with <see cref="DashboardEndpointRouteBuilderExtensions.MapKeyValueDashboard"/>).</summary>
public static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddKeyValueDashboard(this IServiceCollection services, Action<KeyValueDashboardOptions>? configure = null)
    {
        services.AddOptions<KeyValueDashboardOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<SiloDashboard>();
        services.TryAddSingleton<LiveFeed>();
        return services;
    }
}

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Client;

/// <summary>Adds the store to an application in one line.</summary>
public static class KeyValueServiceCollectionExtensions
{
    /// <summary>
    /// Registers a shared <see cref="KeyValueClient"/> (it connects on first use) and an
    /// <see cref="IDistributedCache"/> on it: <c>services.AddKeyValueClient(o => o.Endpoints.Add("127.0.0.1:6379"))</c>.
    /// </summary>
    public static IServiceCollection AddKeyValueClient(this IServiceCollection services, Action<KeyValueClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KeyValueClientOptions>().Configure(configure);
        services.TryAddSingleton(sp => new KeyValueClient(
            sp.GetRequiredService<IOptions<KeyValueClientOptions>>().Value,
            sp.GetService<ILogger<KeyValueClient>>()));
        services.TryAddSingleton<IDistributedCache>(sp => new KeyValueDistributedCache(sp.GetRequiredService<KeyValueClient>()));
        return services;
    }
}

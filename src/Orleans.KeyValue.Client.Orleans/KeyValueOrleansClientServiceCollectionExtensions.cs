using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>Adds the store's Orleans client to an application.</summary>
public static class KeyValueOrleansClientServiceCollectionExtensions
{
    /// <summary>The ADO.NET invariant of PostgreSQL's provider (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// Adds an Orleans client connected to the store's silos (it connects when the host starts)
    /// and a <see cref="KeyValueGrainClient"/> on it; <see cref="IClusterClient"/> and
    /// <see cref="IGrainFactory"/> are there too, for <see cref="IKeyGrain"/> itself:
    /// <c>services.AddKeyValueOrleansClient(o => o.Gateways.Add("10.0.0.5:30000"))</c>.
    /// Not for a silo's own process: a silo already has a client (use its <see cref="IGrainFactory"/>
    /// with <c>new KeyValueGrainClient(grainFactory)</c>).
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public static IServiceCollection AddKeyValueOrleansClient(this IServiceCollection services, Action<KeyValueOrleansClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KeyValueOrleansClientOptions();
        configure(options);
        return services.AddKeyValueOrleansClient(options);
    }

    /// <summary>
    /// As <see cref="AddKeyValueOrleansClient(IServiceCollection, Action{KeyValueOrleansClientOptions})"/>,
    /// with the options read from the section <see cref="KeyValueOrleansClientOptions.SectionName"/>
    /// of the host's configuration (<c>KeyValueOrleans:Gateways:0</c>, <c>KeyValueOrleans:ClusterId</c>, ...),
    /// then changed by <paramref name="configure"/> when given.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public static IHostApplicationBuilder AddKeyValueOrleansClient(this IHostApplicationBuilder builder, Action<KeyValueOrleansClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new KeyValueOrleansClientOptions();
        builder.Configuration.GetSection(KeyValueOrleansClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        builder.Services.AddKeyValueOrleansClient(options);
        return builder;
    }

    // The options decide which clustering the client uses, so they are read here, once, rather
    // than through IOptions when the client starts.
    internal static IServiceCollection AddKeyValueOrleansClient(this IServiceCollection services, KeyValueOrleansClientOptions options)
    {
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KeyValueOrleansClientOptions), failures);
        }

        var gateways = options.Gateways.Count > 0 || !string.IsNullOrEmpty(options.PostgresConnectionString)
            ? [.. options.Gateways]
            : new List<string> { KeyValueOrleansClientOptions.DefaultGateway };
        services.AddOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);
            if (options.UseTls)
            {
                client.UseTls(tls => GatewayTls.Configure(tls, options));
            }

            if (!string.IsNullOrEmpty(options.PostgresConnectionString))
            {
                client.UseAdoNetClustering(adoNet =>
                {
                    adoNet.Invariant = PostgresInvariant;
                    adoNet.ConnectionString = options.PostgresConnectionString;
                });
            }
            else
            {
                client.UseStaticClustering(gatewayList => gatewayList.Gateways = [.. gateways.SelectMany(GatewayEndpoint.Resolve).Select(endpoint => endpoint.ToGatewayUri())]);
            }
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new KeyValueGrainClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}

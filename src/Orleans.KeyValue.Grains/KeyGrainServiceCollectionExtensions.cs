using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Runtime.Activations;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains;

/// <summary>Registers the key grains and the runtime pieces they run on.</summary>
public static class KeyGrainServiceCollectionExtensions
{
    /// <summary>Adds key grains, in-memory grain storage, the timing wheel, idle collection and scripting.</summary>
    public static IServiceCollection AddKeyGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GrainCollectionOptions>();
        services.AddOptions<TimingWheelOptions>();
        services.AddOptions<ScriptOptions>();
        services.TryAddSingleton<IGrainStorage<KeyRecord>, MemoryGrainStorage<KeyRecord>>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TimingWheelOptions>>().Value;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            return new TimingWheel(now, (long)options.Tick.TotalMilliseconds, options.Slots);
        });
        services.TryAddSingleton<KeyspaceStatistics>();
        services.TryAddSingleton<KeyGrainServices>();
        services.TryAddSingleton<IGrainActivator<KeyGrain>, KeyGrainActivator>();
        services.TryAddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IGrainStorage<KeyRecord>>();
            var collection = sp.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
            return new GrainRuntime<KeyGrain>(sp.GetRequiredService<IGrainActivator<KeyGrain>>(), storage.FindKey, endWhenIdle: !collection.KeepIdleKeyGrains);
        });
        services.TryAddSingleton<IDeadlineHandler, KeyExpiryHandler>();
        services.TryAddSingleton<TimingWheelService>();
        services.TryAddSingleton<ActivationCollector<KeyGrain>>();
        services.AddHostedService(sp => sp.GetRequiredService<TimingWheelService>());
        services.AddHostedService(sp => sp.GetRequiredService<ActivationCollector<KeyGrain>>());
        services.TryAddSingleton<LuaScriptEngine>();
        return services;
    }
}

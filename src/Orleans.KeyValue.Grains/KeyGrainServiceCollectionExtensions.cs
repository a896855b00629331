using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Memory;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Runtime.Placement;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains;

/// <summary>Registers what key grains run on: the record store, the expiry wheel, scripting.</summary>
public static class KeyGrainServiceCollectionExtensions
{
    /// <summary>
    /// Adds the silo's record store, the timing wheel that expires its records, the counters and
    /// the Lua engine, and reaches keys through <see cref="KeyInvoker"/> unless
    /// another <see cref="IKeyInvoker"/> is registered first. The key grain class itself is found
    /// by Orleans in this assembly.
    /// </summary>
    public static IServiceCollection AddKeyGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TimingWheelOptions>();
        services.AddOptions<ScriptOptions>();
        services.TryAddSingleton<IRecordStore<KeyRecord>>(_ => KeyRecordSize.NewStore());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TimingWheelOptions>>().Value;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            return new TimingWheel(now, (long)options.Tick.TotalMilliseconds, options.Slots);
        });
        services.TryAddSingleton<KeyspaceStatistics>();
        services.TryAddSingleton(sp => new MemoryLimit(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<KeyGrainServices>();
        services.TryAddSingleton<IKeyInvoker, KeyInvoker>();
        services.TryAddSingleton<IDeadlineHandler, KeyExpiryHandler>();
        services.TryAddSingleton<TimingWheelService>();
        services.AddHostedService(sp => sp.GetRequiredService<TimingWheelService>());
        services.TryAddSingleton<LuaScriptEngine>();

        // Key grains are placed by slot ([SlotPlacement]); without the store's cluster, locally.
        services.AddPlacementDirector<SlotPlacement, SlotPlacementDirector>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;

namespace Orleans.KeyValue.Runtime.Cluster;

/// <summary>
/// Makes <typeparamref name="THandlers"/> (a service that registers silo message handlers when
/// constructed) at <see cref="ServiceLifecycleStage.ApplicationServices"/>: before the silo
/// becomes Active, when other silos start sending it messages such as hand-overs.
/// </summary>
public sealed class MessageHandlersLifecycle<THandlers>(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
    where THandlers : notnull
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(
            typeof(THandlers).Name,
            ServiceLifecycleStage.ApplicationServices,
            _ =>
            {
                services.GetRequiredService<THandlers>();
                return Task.CompletedTask;
            });
    }
}

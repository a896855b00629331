namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>
/// Runs the replication's background work (fills, lease renewals) while the silo is Active: it
/// starts just after the store's view and stops just before the clean leave.
/// </summary>
internal sealed class ReplicationLifecycle(ReplicationService replication) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(
            nameof(ReplicationService),
            ServiceLifecycleStage.Active + 1,
            _ =>
            {
                replication.Start();
                return Task.CompletedTask;
            },
            _ => replication.StopAsync());
    }
}

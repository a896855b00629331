using System.ComponentModel.DataAnnotations;

namespace Orleans.KeyValue.Runtime.Replication;

/// <summary>How many copies of every key the cluster keeps, and how long it waits for them (section <c>Replication</c>).</summary>
public sealed class ReplicationOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Replication";

    /// <summary>
    /// Backups of every slot (<c>--replicas</c>): 1 (default) stores every write on the slot's
    /// owner and on one backup silo before the reply; 0 keeps one copy only (a crashed silo's keys
    /// are lost). A silo alone keeps working with no backup either way.
    /// </summary>
    [Range(0, 1)]
    public int Replicas { get; set; } = 1;

    /// <summary>How long a write waits for its backup; then the client gets an error and the outcome is unknown.</summary>
    public TimeSpan BackupTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an owner may serve reads after its backup last confirmed it as the owner. A backup
    /// takes a dead owner's slots over only once this much time has passed since its last
    /// confirmation, so a paused or cut-off owner never answers a read with a value the new owner
    /// has since replaced.
    /// </summary>
    public TimeSpan ReadLease { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often copies are checked: backups still to fill, expired records to drop.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages of writes on their way to one backup at once; more writes wait and go together in the next.</summary>
    [Range(1, 64)]
    public int MaxMessagesInFlight { get; set; } = 4;

    /// <summary>Writes in one message to a backup.</summary>
    [Range(1, 65536)]
    public int MaxBatchWrites { get; set; } = 512;

    /// <summary>
    /// How long a fill waits for the commands inside a slot to finish before it gives way (the
    /// slot's new commands wait meanwhile) and tries the slot again later.
    /// </summary>
    public TimeSpan FillDrainTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Slots copied in one fill message.</summary>
    [Range(1, 16384)]
    public int FillBatchSlots { get; set; } = 256;
}

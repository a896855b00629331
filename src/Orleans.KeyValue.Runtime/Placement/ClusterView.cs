using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Runtime.Placement;

/// <summary>
/// One silo's view of the cluster at a table version: the members, and which Active silo owns
/// each key slot. Slots map to silos by consistent hashing: every Active silo places
/// <c>virtualNodes</c> points on a 32-bit ring (a stable hash of its address and generation),
/// and a slot belongs to the first point at or after the slot's own position. Adding or
/// removing a silo moves only the slots between its points and their predecessors. Every silo
/// computes the same map from the same table.
/// </summary>
public sealed class ClusterView
{
    private readonly SiloAddress?[] _owners;

    private ClusterView(long version, IReadOnlyList<ClusterSilo> members, IReadOnlyList<SiloAddress> active, SiloAddress?[] owners)
    {
        Version = version;
        Members = members;
        ActiveSilos = active;
        _owners = owners;
    }

    /// <summary>A view with no silos: nothing is owned.</summary>
    public static ClusterView Empty { get; } = new(-1, [], [], new SiloAddress?[KeySlot.Count]);

    /// <summary>The table version this view was built from.</summary>
    public long Version { get; }

    /// <summary>Every row of the table.</summary>
    public IReadOnlyList<ClusterSilo> Members { get; }

    /// <summary>The silos that own slots, ordered by address.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos { get; }

    /// <summary>The owner of <paramref name="slot"/>, or null when no silo is active.</summary>
    public SiloAddress? OwnerOf(int slot) => _owners[slot];

    /// <summary>The status of <paramref name="silo"/> in this view, or null if it has no row.</summary>
    public SiloStatus? StatusOf(SiloAddress silo)
    {
        foreach (var member in Members)
        {
            if (member.Silo == silo)
            {
                return member.Status;
            }
        }

        return null;
    }

    /// <summary>The row of <paramref name="silo"/>, if present.</summary>
    public ClusterSilo? Find(SiloAddress silo) => Members.FirstOrDefault(m => m.Silo == silo);

    /// <summary>
    /// The view of <paramref name="members"/> at <paramref name="version"/>: the Active ones own
    /// the slots, placed by consistent hashing of their addresses (endpoint and generation).
    /// </summary>
    public static ClusterView Build(long version, IEnumerable<ClusterSilo> members, int virtualNodes)
    {
        ArgumentNullException.ThrowIfNull(members);
        var ordered = members.OrderBy(e => e.Silo.ToParsableString(), StringComparer.Ordinal).ToList();
        var active = ordered.Where(m => m.Status == SiloStatus.Active).Select(m => m.Silo).ToList();
        return new ClusterView(version, ordered, active, PlaceSlots(active, virtualNodes));
    }

    private static SiloAddress?[] PlaceSlots(List<SiloAddress> active, int virtualNodes)
    {
        var owners = new SiloAddress?[KeySlot.Count];
        if (active.Count == 0)
        {
            return owners;
        }

        var points = new List<(uint Position, SiloAddress Silo)>(active.Count * virtualNodes);
        foreach (var silo in active)
        {
            var name = silo.ToParsableString();
            for (var v = 0; v < virtualNodes; v++)
            {
                points.Add((StableHash(name + "#" + v.ToString(System.Globalization.CultureInfo.InvariantCulture)), silo));
            }
        }

        // Ties (astronomically rare) break by address so every silo sorts the same way.
        points.Sort((a, b) => a.Position != b.Position
            ? a.Position.CompareTo(b.Position)
            : string.CompareOrdinal(a.Silo.ToParsableString(), b.Silo.ToParsableString()));
        var next = 0;
        for (var slot = 0; slot < KeySlot.Count; slot++)
        {
            var position = (uint)slot << 18;
            while (next < points.Count && points[next].Position < position)
            {
                next++;
            }

            owners[slot] = points[next < points.Count ? next : 0].Silo;
        }

        return owners;
    }

    /// <summary>FNV-1a, 64 bits folded to 32: the same in every process (unlike <see cref="HashCode"/>).</summary>
    private static uint StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        // FNV's low bits mix poorly for short, similar inputs: finish with a multiply-xorshift.
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        return (uint)(hash ^ (hash >> 32));
    }
}

namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>One silo's numbers, as <c>/api/overview</c> shows them.</summary>
internal sealed record SiloStats
{
    public required string Name { get; init; }
    public required string Address { get; init; }
    public required int GatewayPort { get; init; }
    public required long Generation { get; init; }
    public required string Status { get; init; }
    public required long StartTimeMs { get; init; }
    public double UptimeSeconds { get; init; }
    public bool Reachable { get; init; }
    public long KeysOwned { get; init; }
    public int SlotsServed { get; init; }
    public int Activations { get; init; }
    public long WorkingSetBytes { get; init; }
    public long GcHeapBytes { get; init; }
    public double CpuPercent { get; init; }
    public int Clients { get; init; }
    public long CommandsTotal { get; init; }
    public double CommandsPerSecond { get; init; }
    public long ErrorsTotal { get; init; }
    public long ForwardedTotal { get; init; }
    public long ExpiredTotal { get; init; }
    public int TimingWheelPending { get; init; }
    public double ActivationsPerSecond { get; init; }
    public double DeactivationsPerSecond { get; init; }
    public double CollectionsPerSecond { get; init; }
    public bool Self { get; init; }
}

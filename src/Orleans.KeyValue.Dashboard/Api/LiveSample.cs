namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>One silo's cumulative counters at one moment; the stream turns two of them into rates.</summary>
internal sealed record LiveSample
{
    public required string Name { get; init; }
    public required string Address { get; init; }
    public long TimeMs { get; init; }
    public long Timestamp { get; init; }
    public long Commands { get; init; }
    public long Keys { get; init; }
    public int Activations { get; init; }
    public long Expired { get; init; }
    public int TimingWheelPending { get; init; }
    public Dictionary<string, long[]> Latency { get; init; } = [];
}

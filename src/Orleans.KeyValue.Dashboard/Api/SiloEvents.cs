using Orleans.KeyValue.Gateway.Diagnostics;

namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>A silo's recent error replies and slow commands.</summary>
internal sealed record SiloEvents(string Silo, List<CommandEvent> Errors, List<CommandEvent> Slow, long ErrorsTotal, long SlowTotal);

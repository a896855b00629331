namespace Orleans.KeyValue.Gateway.Diagnostics;

/// <summary>An error reply or a slow command, as the dashboard lists them.</summary>
/// <param name="TimeMs">When it finished (Unix milliseconds).</param>
/// <param name="Command">The command's name (lower case).</param>
/// <param name="Key">The command's first key, truncated, if it has one.</param>
/// <param name="DurationMicros">How long it took.</param>
/// <param name="Error">The error reply's text, for errors.</param>
/// <param name="Client">The client's address.</param>
public sealed record CommandEvent(long TimeMs, string Command, string? Key, long DurationMicros, string? Error, string? Client);

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>One silo's vote that another is dead, with when it was cast (votes expire).</summary>
/// <param name="Voter">The silo that missed the probes.</param>
/// <param name="Time">When the vote was cast.</param>
public sealed record SuspectVote(SiloAddress Voter, DateTimeOffset Time);

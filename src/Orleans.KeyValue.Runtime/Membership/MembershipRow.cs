namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>A row as read, with the row's etag for a conditional update.</summary>
/// <param name="Entry">The row.</param>
/// <param name="ETag">Changes at every update of this row.</param>
public sealed record MembershipRow(MembershipEntry Entry, string ETag);

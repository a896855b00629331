namespace Orleans.KeyValue.Dashboard.Api;

/// <summary>What a <see cref="Runtime.Transport.SiloMessageType.Dashboard"/> request asks of a silo (first payload byte).</summary>
internal enum DashboardQuery : byte
{
    /// <summary>The silo's <see cref="SiloStats"/>.</summary>
    Stats = 1,

    /// <summary>A <see cref="LiveSample"/>; renews the silo's per-key tracking lease.</summary>
    Sample = 2,

    /// <summary>The silo's recent error replies and slow commands.</summary>
    Events = 3,

    /// <summary>A key's <see cref="KeyDetails"/> (the silo owns it); then the key's bytes.</summary>
    Inspect = 4,

    /// <summary>The busiest keys since the last ask; renews the tracking lease.</summary>
    BusiestKeys = 5,
}

namespace Orleans.KeyValue.Runtime.Timers;

/// <summary>Receives the deadlines the wheel fires (the key grain's expiry turn).</summary>
public interface IDeadlineHandler
{
    /// <summary>Called on the wheel's thread for each fired deadline; must not block.</summary>
    void OnDeadline(byte[] key, long deadlineMs);
}

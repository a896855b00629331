namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>What a grain can ask of its activation (Orleans: <c>IGrainContext</c>).</summary>
public interface IGrainContext
{
    /// <summary>The grain id: the key's bytes. Never changed.</summary>
    byte[] Key { get; }

    /// <summary>Deactivate as soon as the current turn ends and no call waits.</summary>
    void DeactivateOnIdle();

    /// <summary>Withdraws a <see cref="DeactivateOnIdle"/> asked for earlier in this turn.</summary>
    void KeepActive();
}

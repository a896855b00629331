namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>Creates the grain object of a new activation. Must have no side effects: a losing
/// creation in an activation race is dropped unseen.</summary>
/// <typeparam name="TGrain">The grain class.</typeparam>
public interface IGrainActivator<TGrain>
    where TGrain : class
{
    /// <summary>Creates the grain for <paramref name="context"/>'s key.</summary>
    TGrain Create(IGrainContext context);
}

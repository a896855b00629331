using Orleans.KeyValue.Runtime.Activations;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>Makes key grains.</summary>
public sealed class KeyGrainActivator(KeyGrainServices services) : IGrainActivator<KeyGrain>
{
    public KeyGrain Create(IGrainContext context) => new(context, services);
}

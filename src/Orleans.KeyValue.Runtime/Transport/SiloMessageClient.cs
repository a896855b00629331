using Orleans.Runtime.Services;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>Reaches the <see cref="ISiloMessageService"/> of a given silo.</summary>
internal sealed class SiloMessageClient(IServiceProvider services) : GrainServiceClient<ISiloMessageService>(services)
{
    public ISiloMessageService On(SiloAddress silo) => GetGrainService(silo);
}

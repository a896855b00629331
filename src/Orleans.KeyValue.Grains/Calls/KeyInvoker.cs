using Orleans.KeyValue.Grains.Keys;

namespace Orleans.KeyValue.Grains.Calls;

/// <summary>
/// Reaches keys on this silo: a key with an activation gets a grain call (so the call queues
/// behind the activation's turns); a key without one is served at once under its stripe's lock
/// (see <see cref="KeyTurns"/>), unless the call may run long, which always goes to the grain.
/// </summary>
public sealed class KeyInvoker(IGrainFactory grains, KeyGrainServices services) : IKeyInvoker
{
    public ValueTask<KvReply> InvokeAsync<TCall>(ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall
    {
        if (!TCall.NeedsActivation && services.Turns.TryRunWithoutActivation(key, call, services, out var reply))
        {
            return new(reply);
        }

        return call.InvokeAsync(grains.GetKeyGrain(key));
    }
}

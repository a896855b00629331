namespace Orleans.KeyValue.Grains.Calls;

/// <summary>Runs a call as a turn of a key's grain (the gateway's one way to reach a key).</summary>
public interface IKeyInvoker
{
    /// <summary>Runs <paramref name="call"/> on the grain of <paramref name="key"/>.</summary>
    ValueTask<KvReply> InvokeAsync<TCall>(ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall;
}

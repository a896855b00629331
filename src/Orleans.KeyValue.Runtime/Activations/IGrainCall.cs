namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>
/// One call to a grain, as a value (Orleans generates such invokers; here they are written by
/// hand). A struct call goes through the runtime without boxing when the grain is free.
/// </summary>
/// <typeparam name="TGrain">The grain class.</typeparam>
/// <typeparam name="TResult">The result.</typeparam>
public interface IGrainCall<in TGrain, TResult>
{
    /// <summary>Runs the call inside the grain's turn.</summary>
    ValueTask<TResult> InvokeAsync(TGrain grain);
}

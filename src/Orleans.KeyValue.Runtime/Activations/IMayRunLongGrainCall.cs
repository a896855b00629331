namespace Orleans.KeyValue.Runtime.Activations;

/// <summary>
/// Marks a grain call that may hold its grain for long (a script may run for seconds). With
/// activations that end when idle, such a call runs on an activation of its own key, never on a
/// stripe's borrowed one, so the other keys of the stripe never wait for it.
/// </summary>
public interface IMayRunLongGrainCall
{
}

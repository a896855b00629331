using Microsoft.Extensions.Logging;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Runtime.Activations;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Keys;

/// <summary>Turns a fired deadline into the key grain's expiry turn.</summary>
public sealed partial class KeyExpiryHandler(GrainRuntime<KeyGrain> runtime, ILogger<KeyExpiryHandler> logger) : IDeadlineHandler
{
    public void OnDeadline(byte[] key, long deadlineMs)
    {
        var turn = runtime.InvokeAsync<DeadlineCall, KvReply>(key, new DeadlineCall(deadlineMs));
        if (!turn.IsCompletedSuccessfully)
        {
            // The grain was busy: the expiry turn waits in its queue; observe how it ends.
            _ = ObserveAsync(turn);
        }
    }

    private async Task ObserveAsync(ValueTask<KvReply> turn)
    {
        try
        {
            await turn;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogExpiryFailed(exception);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "An expiry turn failed")]
    private partial void LogExpiryFailed(Exception exception);
}

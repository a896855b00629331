using Microsoft.Extensions.DependencyInjection;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Grains.Scripting;

namespace Orleans.KeyValue.Gateway.Tests.Commands;

/// <summary>
/// Runs each key call at once on the key's operations, one call at a time, as a key grain's
/// turn would: the gateway's commands are tested without an Orleans silo (the silo and
/// integration tests run them on real grains).
/// </summary>
public sealed class DirectKeyInvoker(IServiceProvider services) : IKeyInvoker
{
    private readonly Lock _turn = new();

    public ValueTask<KvReply> InvokeAsync<TCall>(ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall
    {
        var operations = new KeyOperations(key.ToArray(), services.GetRequiredService<KeyGrainServices>(), services.GetRequiredService<IScriptHost>());
        lock (_turn)
        {
            return new(call.Invoke(operations));
        }
    }
}

using Orleans.KeyValue.Grains.Calls;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// How a handler reaches a key: from a client, as a turn of the key's grain (through
/// <see cref="IKeyInvoker"/>, which serves a key without an activation at once); from inside a
/// script, on the script's grain directly, since the script already holds that grain's turn.
/// </summary>
internal sealed class KeyCaller(IKeyInvoker invoker)
{
    public ValueTask<KvReply> InvokeAsync<TCall>(CommandContext context, ReadOnlySpan<byte> key, TCall call)
        where TCall : struct, IKeyCall
    {
        if (context.InScript)
        {
            if (context.FindKey(key) is not { } operations)
            {
                return Replies.Error(context.SlotKeys is null ? ErrorTexts.ScriptKeyNotDeclared : ErrorTexts.ScriptKeyNotLocal);
            }

            return new(call.Invoke(operations));
        }

        return invoker.InvokeAsync(key, call);
    }
}

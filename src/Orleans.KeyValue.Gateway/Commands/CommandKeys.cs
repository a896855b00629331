using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// Where a command's keys are, as the cluster routing and MSETEX read them (numkeys layouts and
/// key spans that COMMAND INFO's first/last/step cannot say). Reads the request only; allocates nothing.
/// </summary>
internal static class CommandKeys
{
    /// <summary>The key a command routes by, or false for commands that run where they arrive.</summary>
    public static bool TryGetRoutingKey(CommandDefinition definition, RespRequest request, out int keyIndex)
    {
        keyIndex = 0;
        switch (definition.Routing)
        {
            case KeyRouting.ScriptKeys:
                // EVAL/EVALSHA: the keys follow numkeys; a script without keys runs here.
                if (request.Count > 3 && RespNumber.TryParseInt64(request[2], out var keyCount) && keyCount > 0 && keyCount <= request.Count - 3)
                {
                    keyIndex = 3;
                    return true;
                }

                return false;
            case KeyRouting.KeyValuePairs:
                // MSETEX: by its first key, once its numkeys layout is whole (else it errs where it arrives).
                keyIndex = 2;
                return TryFindPairKeys(request, out _);
            case KeyRouting.None:
                return false;
            default:
                keyIndex = definition.FirstKey;
                return keyIndex > 0 && request.Count > keyIndex;
        }
    }

    /// <summary>
    /// True when a command routed by a key in <paramref name="slot"/> also names keys of other
    /// slots: DEL and EXISTS (every argument a key), MSETEX (the keys of its pairs). Other commands
    /// route by one key and never span slots; for them this returns at once, without allocating.
    /// </summary>
    public static bool SpansSlots(CommandDefinition definition, RespRequest request, int slot) => definition.Routing switch
    {
        KeyRouting.EachKey or KeyRouting.EachKeyArray => request.Count > 2 && !SameSlot(request, 2, request.Count - 1, 1, slot),

        // A count that leaves a key without its value is the command's own arity error, where it arrives.
        KeyRouting.PairsBySlot or KeyRouting.SameSlotPairs => request.Count > 3 && request.Count % 2 == 1 && !SameSlot(request, 3, request.Count - 2, 2, slot),
        KeyRouting.SameSlotKeys => request.Count > 2 && KeySlot.Of(request[2]) != slot,
        KeyRouting.KeyValuePairs => TryFindPairKeys(request, out var lastKey) && !SameSlot(request, 4, lastKey, 2, slot),
        _ => false,
    };

    /// <summary>
    /// The keys of MSETEX as Redis's key spec finds them (numkeys at 1, first key at 2, step 2):
    /// numkeys a positive integer and its last key within the arguments. When not, Redis Cluster
    /// finds no keys and the command itself answers the error.
    /// </summary>
    public static bool TryFindPairKeys(RespRequest request, out int lastKeyIndex)
    {
        lastKeyIndex = 0;
        if (request.Count < 3 || !RespNumber.TryParseInt64(request[1], out var pairs) || pairs < 1 || pairs > (request.Count - 1) / 2)
        {
            return false;
        }

        lastKeyIndex = 2 * (int)pairs;
        return true;
    }

    /// <summary>True when the keys at <paramref name="first"/>, first + step, ... up to <paramref name="last"/> are all in <paramref name="slot"/>.</summary>
    public static bool SameSlot(RespRequest request, int first, int last, int step, int slot)
    {
        for (var i = first; i <= last; i += step)
        {
            if (KeySlot.Of(request[i]) != slot)
            {
                return false;
            }
        }

        return true;
    }
}

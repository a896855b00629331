namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>Where a command's keys are, for routing it in a cluster (COMMAND INFO's first/last/step cannot say it all).</summary>
public enum KeyRouting : byte
{
    /// <summary>The key at <see cref="CommandDefinition.FirstKey"/>, or none: the command runs where it arrives.</summary>
    FirstKey,

    /// <summary>Every argument from <see cref="CommandDefinition.FirstKey"/> is a key; keys of several slots become one command per key (DEL, EXISTS).</summary>
    EachKey,

    /// <summary>numkeys at 2, the keys after it (EVAL, EVALSHA); a script without keys runs where it arrives.</summary>
    ScriptKeys,

    /// <summary>numkeys at 1, then key value pairs (MSETEX): every key must be in the first key's slot.</summary>
    KeyValuePairs,

    /// <summary>Every argument from 1 is a key; keys of several slots become one command per slot, their replies one array (MGET).</summary>
    EachKeyArray,

    /// <summary>Key value pairs from 1; pairs of several slots become one command per slot (MSET).</summary>
    PairsBySlot,

    /// <summary>Key value pairs from 1, every key in the first key's slot (MSETNX).</summary>
    SameSlotPairs,

    /// <summary>Keys at 1 and 2, in one slot (LCS).</summary>
    SameSlotKeys,

    /// <summary>Keys it reads itself, wherever they live, where it arrives (WATCH).</summary>
    None,
}

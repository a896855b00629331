using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// Redis's ACLCheckAllPerm before a command runs: the user may run the command (or subcommand),
/// and every key the command declares matches one of the user's key patterns.
/// </summary>
internal static class AclGuard
{
    /// <summary>What refused the command, or <see cref="AclVerdict.Allowed"/>.</summary>
    public static AclVerdict Check(AclUser user, CommandDefinition definition, RespRequest request) =>
        Check(user, definition, request, out _);

    /// <summary>As <see cref="Check(AclUser, CommandDefinition, RespRequest)"/>; <paramref name="deniedKey"/> is the argument index of the key refused.</summary>
    public static AclVerdict Check(AclUser user, CommandDefinition definition, RespRequest request, out int deniedKey)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(request);
        deniedKey = -1;
        var state = user.State;
        if (!definition.AllowedUnauthenticated && !state.Allows(definition.AclId))
        {
            return AclVerdict.DeniedCommand;
        }

        if (!state.AllKeys && TryGetKeyRange(definition, request, out var first, out var last, out var step))
        {
            for (var i = first; i <= last; i += step)
            {
                if (!state.AllowsKey(request[i]))
                {
                    deniedKey = i;
                    return AclVerdict.DeniedKey;
                }
            }
        }

        return AclVerdict.Allowed;
    }

    /// <summary>Redis's NOPERM text for a client's command.</summary>
    public static string ErrorText(AclVerdict verdict, CommandDefinition definition) =>
        verdict == AclVerdict.DeniedCommand ? AclTexts.NoPermCommand(definition.Name) : AclTexts.NoPermKey;

    /// <summary>Redis's text for a script's redis.call.</summary>
    public static string ScriptErrorText(AclVerdict verdict) =>
        verdict == AclVerdict.DeniedCommand ? AclTexts.ScriptNoPermCommand : AclTexts.ScriptNoPermKey;

    /// <summary>
    /// The keys a command declares (its key spec, as Redis's getKeysFromCommandWithSpecs finds
    /// them): arguments <paramref name="first"/> to <paramref name="last"/> by <paramref name="step"/>.
    /// </summary>
    public static bool TryGetKeyRange(CommandDefinition definition, RespRequest request, out int first, out int last, out int step)
    {
        first = last = 0;
        step = 1;
        switch (definition.Routing)
        {
            case KeyRouting.ScriptKeys:
                // EVAL, EVALSHA, FCALL, FCALL_RO: numkeys, then the keys.
                if (request.Count > 2 && RespNumber.TryParseInt64(request[2], out var count) && count > 0 && count <= request.Count - 3)
                {
                    first = 3;
                    last = 2 + (int)count;
                    return true;
                }

                return false;
            case KeyRouting.KeyValuePairs:
                first = 2;
                step = 2;
                return CommandKeys.TryFindPairKeys(request, out last);
            default:
                if (definition.FirstKey <= 0 || request.Count <= definition.FirstKey)
                {
                    return false;
                }

                first = definition.FirstKey;
                last = definition.LastKey < 0 ? request.Count + definition.LastKey : Math.Min(definition.LastKey, request.Count - 1);
                step = Math.Max(definition.Step, 1);
                return last >= first;
        }
    }
}

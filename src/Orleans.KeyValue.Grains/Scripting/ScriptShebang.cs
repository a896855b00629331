using System.Text;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// Redis 7's optional first script line <c>#!lua flags=no-writes,...</c> (evalExtractShebangFlags).
/// The flags are checked, not enforced: the engine has no say over which commands a script calls.
/// </summary>
internal static class ScriptShebang
{
    private static readonly string[] KnownFlags = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];

    /// <summary>
    /// Checks the shebang of <paramref name="body"/>. On success, <paramref name="skip"/> is the length of the
    /// shebang line without its newline: Lua compiles the rest, so that line numbers stay the script's.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out int skip, out string? error)
    {
        skip = 0;
        error = null;
        if (!body.StartsWith("#!"u8))
        {
            return true;
        }

        int end = body.IndexOf((byte)'\n');
        if (end < 0)
        {
            error = ScriptErrors.InvalidShebang;
            return false;
        }

        string[] parts = Encoding.UTF8.GetString(body[..end])
            .Split([' ', '\t', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            error = ScriptErrors.InvalidShebangEngine;
            return false;
        }

        if (parts[0] != "#!lua")
        {
            error = ScriptErrors.UnexpectedShebangEngine + parts[0];
            return false;
        }

        foreach (string option in parts.AsSpan(1))
        {
            if (!option.StartsWith("flags=", StringComparison.Ordinal))
            {
                error = ScriptErrors.UnknownShebangOption + option;
                return false;
            }

            foreach (string flag in option["flags=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Array.IndexOf(KnownFlags, flag) < 0)
                {
                    error = ScriptErrors.UnexpectedShebangFlag + flag;
                    return false;
                }
            }
        }

        skip = end;
        return true;
    }
}

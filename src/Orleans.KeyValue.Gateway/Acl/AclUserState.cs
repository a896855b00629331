using System.Security.Cryptography;
using System.Text;

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>
/// What one ACL user may do (Redis 7.0's user with its root selector): a copy is changed rule
/// by rule (<see cref="Apply"/>) and then published whole, so a command never sees half a change.
/// </summary>
internal sealed partial class AclUserState
{
    private readonly List<string> _passwords = [];
    private readonly List<string> _keyPatterns = [];
    private readonly List<byte[]> _keyPatternBytes = [];
    private readonly List<string> _channels = [];
    private readonly bool[] _allowed = new bool[AclCommandSpace.Count];

    /// <summary>on/off.</summary>
    public bool Enabled { get; private set; }

    /// <summary>nopass: any password is accepted.</summary>
    public bool NoPass { get; private set; }

    /// <summary>sanitize-payload or skip-sanitize-payload: kept to be shown (RESTORE is not served).</summary>
    public AclPayloadSanitizing Sanitize { get; private set; }

    /// <summary>SHA-256 of each password, lower-case hex, in the order they were added.</summary>
    public IReadOnlyList<string> Passwords => _passwords;

    /// <summary>~* or allkeys: every key.</summary>
    public bool AllKeys { get; private set; }

    /// <summary>The ~ patterns, without the ~.</summary>
    public IReadOnlyList<string> KeyPatterns => _keyPatterns;

    /// <summary>&amp;* or allchannels (kept to be shown: there is no pub/sub).</summary>
    public bool AllChannels { get; private set; }

    /// <summary>
    /// Every command allowed with no bit to check: set by +@all or allcommands, cleared by any
    /// rule that takes a command away (Redis's SELECTOR_FLAG_ALLCOMMANDS).
    /// </summary>
    public bool AllCommands { get; private set; }

    /// <summary>
    /// Started from +@all, so commands added later would be allowed (Redis's reserved command bit):
    /// the rules are shown from +@all rather than -@all.
    /// </summary>
    public bool FromAllCommands { get; private set; }

    /// <summary>A new user: off, no passwords, no keys, no channels, no commands (Redis's ACLCreateUser).</summary>
    public static AclUserState CreateNew() => new();

    /// <summary>True when every command and every key is allowed: nothing to check.</summary>
    public bool Unrestricted => AllCommands && AllKeys;

    /// <summary>True when the command or subcommand <paramref name="id"/> is allowed.</summary>
    public bool Allows(int id) => AllCommands || (id >= 0 && _allowed[id]);

    /// <summary>A copy to change.</summary>
    public AclUserState Clone()
    {
        var copy = new AclUserState
        {
            Enabled = Enabled,
            NoPass = NoPass,
            Sanitize = Sanitize,
            AllKeys = AllKeys,
            AllChannels = AllChannels,
            AllCommands = AllCommands,
            FromAllCommands = FromAllCommands,
        };
        copy._passwords.AddRange(_passwords);
        copy._keyPatterns.AddRange(_keyPatterns);
        copy._keyPatternBytes.AddRange(_keyPatternBytes);
        copy._channels.AddRange(_channels);
        Array.Copy(_allowed, copy._allowed, _allowed.Length);
        return copy;
    }

    /// <summary>SHA-256 of <paramref name="password"/>, lower-case hex, as Redis stores it.</summary>
    public static string Hash(ReadOnlySpan<byte> password) => Convert.ToHexStringLower(SHA256.HashData(password));

    /// <summary>True when <paramref name="password"/> opens this user (it must be on): nopass, or one of its hashes.</summary>
    public bool Accepts(ReadOnlySpan<byte> password)
    {
        if (!Enabled)
        {
            return false;
        }

        if (NoPass)
        {
            return true;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, hash);
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        var found = false;
        foreach (var hex in _passwords)
        {
            Convert.FromHexString(hex, stored, out _, out _);

            // Every stored hash is compared, in constant time, as Redis's time_independent_strcmp.
            found |= CryptographicOperations.FixedTimeEquals(hash, stored);
        }

        return found;
    }

    /// <summary>
    /// Applies one rule (Redis's ACLSetUser); null when applied, else Redis's reason
    /// (ACLSetUserStringError's text), and the state may be half changed: apply to a copy.
    /// </summary>
    public string? Apply(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (Is(rule, "on"))
        {
            Enabled = true;
        }
        else if (Is(rule, "off"))
        {
            Enabled = false;
        }
        else if (Is(rule, "skip-sanitize-payload"))
        {
            Sanitize = AclPayloadSanitizing.Skip;
        }
        else if (Is(rule, "sanitize-payload"))
        {
            Sanitize = AclPayloadSanitizing.Sanitize;
        }
        else if (Is(rule, "nopass"))
        {
            NoPass = true;
            _passwords.Clear();
        }
        else if (Is(rule, "resetpass"))
        {
            NoPass = false;
            _passwords.Clear();
        }
        else if (rule.StartsWith('>') || rule.StartsWith('#'))
        {
            var hash = rule[0] == '>' ? Hash(Encoding.UTF8.GetBytes(rule[1..])) : rule[1..];
            if (rule[0] == '#' && !IsHash(hash))
            {
                return AclTexts.BadHash;
            }

            if (!_passwords.Contains(hash))
            {
                _passwords.Add(hash);
            }

            NoPass = false;
        }
        else if (rule.StartsWith('<') || rule.StartsWith('!'))
        {
            var hash = rule[0] == '<' ? Hash(Encoding.UTF8.GetBytes(rule[1..])) : rule[1..];
            if (rule[0] == '!' && !IsHash(hash))
            {
                return AclTexts.BadHash;
            }

            if (!_passwords.Remove(hash))
            {
                return AclTexts.NoSuchPassword;
            }
        }
        else if (Is(rule, "allkeys") || rule == "~*")
        {
            AllKeys = true;
            _keyPatterns.Clear();
            _keyPatternBytes.Clear();
        }
        else if (Is(rule, "resetkeys"))
        {
            AllKeys = false;
            _keyPatterns.Clear();
            _keyPatternBytes.Clear();
        }
        else if (rule.StartsWith('~'))
        {
            if (AllKeys)
            {
                return AclTexts.PatternAfterAllKeys;
            }

            var pattern = rule[1..];
            if (HasSpaces(pattern))
            {
                return AclTexts.SyntaxError;
            }

            if (!_keyPatterns.Contains(pattern))
            {
                _keyPatterns.Add(pattern);
                _keyPatternBytes.Add(Encoding.UTF8.GetBytes(pattern));
            }
        }
        else if (Is(rule, "allchannels") || rule == "&*")
        {
            AllChannels = true;
            _channels.Clear();
        }
        else if (Is(rule, "resetchannels"))
        {
            AllChannels = false;
            _channels.Clear();
        }
        else if (rule.StartsWith('&'))
        {
            if (AllChannels)
            {
                return AclTexts.PatternAfterAllChannels;
            }

            var pattern = rule[1..];
            if (HasSpaces(pattern))
            {
                return AclTexts.SyntaxError;
            }

            if (!_channels.Contains(pattern))
            {
                _channels.Add(pattern);
            }
        }
        else if (Is(rule, "allcommands") || Is(rule, "+@all"))
        {
            Array.Fill(_allowed, true);
            AllCommands = true;
            FromAllCommands = true;
        }
        else if (Is(rule, "nocommands") || Is(rule, "-@all"))
        {
            Array.Fill(_allowed, false);
            AllCommands = false;
            FromAllCommands = false;
        }
        else if (rule.Length > 1 && (rule[0] == '+' || rule[0] == '-') && rule[1] == '@')
        {
            if (AclCommandSpace.InCategory(rule[2..]) is not { } ids)
            {
                return AclTexts.UnknownCommandOrCategory;
            }

            foreach (var id in ids)
            {
                SetCommand(id, rule[0] == '+');
            }
        }
        else if (rule.Length > 1 && (rule[0] == '+' || rule[0] == '-'))
        {
            return ApplyCommand(rule);
        }
        else if (Is(rule, "reset"))
        {
            foreach (var step in (string[])["resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "-@all"])
            {
                Apply(step);
            }
        }
        else if (Is(rule, "clearselectors"))
        {
            // No selectors are built, so there are none to clear.
        }
        else
        {
            // Selectors, %R~/%W~ patterns and anything else unknown: Redis's EINVAL.
            return AclTexts.SyntaxError;
        }

        return null;
    }

    private string? ApplyCommand(string rule)
    {
        var allow = rule[0] == '+';
        var name = rule[1..];
        var bar = name.IndexOf('|', StringComparison.Ordinal);
        if (bar >= 0)
        {
            var container = AclCommandSpace.IdOf(name[..bar]);
            if (container < 0)
            {
                return AclTexts.UnknownCommandOrCategory;
            }

            if (allow && bar == name.Length - 1)
            {
                return AclTexts.SyntaxError;
            }

            // A first argument of a command without subcommands (+select|0) is not built.
            if (AclCommandSpace.SubcommandsOf(container).Count == 0)
            {
                return AclTexts.UnknownCommandOrCategory;
            }
        }

        var id = AclCommandSpace.IdOf(name);
        if (id < 0)
        {
            return AclTexts.UnknownCommandOrCategory;
        }

        SetWithSubcommands(_allowed, id, allow);
        if (!allow)
        {
            AllCommands = false;
        }

        return null;
    }

    private void SetCommand(int id, bool allow)
    {
        SetWithSubcommands(_allowed, id, allow);
        if (!allow)
        {
            AllCommands = false;
        }
    }

    /// <summary>Redis's ACLChangeSelectorPerm: a command's bit, and its subcommands' bits with it.</summary>
    private static void SetWithSubcommands(bool[] bits, int id, bool allow)
    {
        bits[id] = allow;
        foreach (var sub in AclCommandSpace.SubcommandsOf(id))
        {
            bits[sub] = allow;
        }
    }

    /// <summary>True when <paramref name="key"/> matches one of the key patterns (or every key is allowed).</summary>
    public bool AllowsKey(ReadOnlySpan<byte> key)
    {
        if (AllKeys)
        {
            return true;
        }

        foreach (var pattern in _keyPatternBytes)
        {
            if (Keyspace.GlobPattern.IsMatch(pattern, key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Is(string rule, string name) => string.Equals(rule, name, StringComparison.OrdinalIgnoreCase);

    private static bool IsHash(string hash) => hash.Length == 64 && hash.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Redis's ACLStringHasSpaces: spaces and NUL are refused in names and patterns.</summary>
    public static bool HasSpaces(string text) => text.Any(c => char.IsWhiteSpace(c) || c == '\0');
}

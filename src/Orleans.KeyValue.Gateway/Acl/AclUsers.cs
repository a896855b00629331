using System.Text;

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>
/// This silo's ACL users (Redis's Users rax): <c>default</c> always, made from
/// <c>requirepass</c> as Redis does, plus the users of the configuration. Reads take no lock;
/// changes (ACL SETUSER, ACL DELUSER) are made one at a time.
/// </summary>
public sealed class AclUsers
{
    /// <summary>The name of the user every connection starts as.</summary>
    public const string DefaultName = "default";

    private readonly Lock _changes = new();
    private volatile SortedDictionary<string, AclUser> _users;

    /// <summary>
    /// The users: <c>default</c> (<c>on nopass ~* &amp;* +@all</c>, then <c>resetpass &gt;pass</c>
    /// when <paramref name="requirePass"/> is set), then one per entry of <paramref name="users"/>
    /// in Redis's <c>user</c> directive form (<c>name rule rule ...</c>). A bad entry throws with Redis's reason.
    /// </summary>
    public AclUsers(string? requirePass, IEnumerable<string>? users = null)
    {
        var initial = new SortedDictionary<string, AclUser>(StringComparer.Ordinal);
        var defaultState = AclUserState.CreateNew();
        foreach (var rule in (string[])["+@all", "~*", "&*", "on", "nopass"])
        {
            defaultState.Apply(rule);
        }

        if (!string.IsNullOrEmpty(requirePass))
        {
            defaultState.Apply("resetpass");
            defaultState.Apply(">" + requirePass);
        }

        Default = new AclUser(DefaultName, defaultState);
        initial.Add(DefaultName, Default);
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in users ?? [])
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                throw new ArgumentException("An ACL user line is empty: give a name and its rules, as in Redis's 'user' directive.", nameof(users));
            }

            var name = words[0];
            if (!defined.Add(name))
            {
                throw new ArgumentException($"ACL user '{name}': {AclTexts.DuplicateUser}", nameof(users));
            }

            // Redis's ACLLoadConfiguredUsers: a configured default user starts from reset.
            var state = initial.TryGetValue(name, out var existing) ? existing.State.Clone() : AclUserState.CreateNew();
            if (existing is not null)
            {
                state.Apply("reset");
            }

            foreach (var rule in words[1..])
            {
                if (state.Apply(rule) is { } reason)
                {
                    throw new ArgumentException($"ACL user '{name}', rule '{rule}': {reason}", nameof(users));
                }
            }

            if (existing is not null)
            {
                existing.State = state;
            }
            else
            {
                initial.Add(name, new AclUser(name, state));
            }
        }

        _users = initial;
    }

    /// <summary>The <c>default</c> user.</summary>
    public AclUser Default { get; }

    /// <summary>A user that may run nothing: stands for a caller whose user this silo does not know (deleted meanwhile).</summary>
    public AclUser Nobody { get; } = new(string.Empty, AclUserState.CreateNew());

    /// <summary>
    /// The key of Orleans's request context under which a script's caller travels to where the
    /// script runs (its key's turn, possibly on another silo): the user's name, set only for
    /// users that may not run everything.
    /// </summary>
    public const string CallerKey = "kv.acl.user";

    /// <summary>The calling user a script's request context names (see <see cref="CallerKey"/>); null when none is named (the caller may run everything).</summary>
    public AclUser? CallerFromRequestContext() =>
        global::Orleans.Runtime.RequestContext.Get(CallerKey) is string name ? Find(name) ?? Nobody : null;

    /// <summary>Every user, by name in byte order (ACL USERS and ACL LIST's order).</summary>
    public IReadOnlyCollection<AclUser> All => _users.Values;

    /// <summary>Every user as one ACL LIST line (<c>user name rules...</c>), in name order.</summary>
    public IEnumerable<string> Describe() => All.Select(u => "user " + u.Name + " " + u.State.Describe());

    /// <summary>The user named <paramref name="name"/>, or null.</summary>
    public AclUser? Find(string name) => _users.TryGetValue(name, out var user) ? user : null;

    /// <summary>The user <paramref name="name"/> opens with <paramref name="password"/> (it must be on), or null (Redis's WRONGPASS).</summary>
    public AclUser? Authenticate(ReadOnlySpan<byte> name, ReadOnlySpan<byte> password)
    {
        var user = Find(Encoding.UTF8.GetString(name));
        return user is not null && user.State.Accepts(password) ? user : null;
    }

    /// <summary>
    /// ACL SETUSER: applies <paramref name="rules"/> to a copy of the user (a new one if there is
    /// none) and publishes it only if every rule applied; else the reply's error text.
    /// </summary>
    public string? SetUser(string name, IReadOnlyList<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_changes)
        {
            var existing = Find(name);
            var state = existing?.State.Clone() ?? AclUserState.CreateNew();
            foreach (var rule in rules)
            {
                if (state.Apply(rule) is { } reason)
                {
                    return AclTexts.SetUserError(rule, reason);
                }
            }

            if (existing is not null)
            {
                existing.State = state;
            }
            else
            {
                var users = new SortedDictionary<string, AclUser>(_users, StringComparer.Ordinal) { [name] = new AclUser(name, state) };
                _users = users;
            }

            return null;
        }
    }

    /// <summary>
    /// Makes these users those of <paramref name="lines"/> (another silo's ACL LIST): each user
    /// rebuilt from its rules, users the list lacks removed (not <c>default</c>). A line that does
    /// not apply here is skipped.
    /// </summary>
    public void CopyFrom(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        lock (_changes)
        {
            var users = new SortedDictionary<string, AclUser>(StringComparer.Ordinal) { [DefaultName] = Default };
            foreach (var line in lines)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 2 || words[0] != "user")
                {
                    continue;
                }

                var state = AclUserState.CreateNew();
                if (words[2..].Any(rule => state.Apply(rule) is not null))
                {
                    continue;
                }

                var name = words[1];
                if (_users.TryGetValue(name, out var existing))
                {
                    existing.State = state;
                    users[name] = existing;
                }
                else
                {
                    users[name] = new AclUser(name, state);
                }
            }

            foreach (var gone in _users.Values.Where(u => !users.ContainsKey(u.Name)))
            {
                gone.Deleted = true;
            }

            _users = users;
        }
    }

    /// <summary>ACL DELUSER: removes the users named (not <c>default</c>); returns those removed.</summary>
    public IReadOnlyList<AclUser> DeleteUsers(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        lock (_changes)
        {
            var users = new SortedDictionary<string, AclUser>(_users, StringComparer.Ordinal);
            var removed = new List<AclUser>();
            foreach (var name in names)
            {
                if (name != DefaultName && users.Remove(name, out var user))
                {
                    user.Deleted = true;
                    removed.Add(user);
                }
            }

            _users = users;
            return removed;
        }
    }
}

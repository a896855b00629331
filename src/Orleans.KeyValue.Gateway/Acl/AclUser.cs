namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>
/// One ACL user. Connections authenticated as it keep this object, so a change by ACL SETUSER
/// reaches them at their next command, as in Redis; the state is replaced whole, never edited in place.
/// </summary>
public sealed class AclUser
{
    private volatile AclUserState _state;

    internal AclUser(string name, AclUserState state)
    {
        Name = name;
        _state = state;
    }

    /// <summary>The user's name.</summary>
    public string Name { get; }

    /// <summary>False once ACL DELUSER removed it (its connections are closed).</summary>
    public bool Deleted { get; internal set; }

    internal AclUserState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>True when a connection may start as this user without AUTH: on and nopass.</summary>
    public bool OpensWithoutPassword
    {
        get
        {
            var state = _state;
            return state.Enabled && state.NoPass;
        }
    }
}

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>The outcome of an ACL check (Redis's ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY).</summary>
internal enum AclVerdict
{
    Allowed,
    DeniedCommand,
    DeniedKey,
}

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>A user's sanitize-payload flag (Redis's USER_FLAG_SANITIZE_PAYLOAD and _SKIP).</summary>
internal enum AclPayloadSanitizing
{
    /// <summary>Neither flag: a user made by SETUSER without reset.</summary>
    Unset,

    /// <summary>sanitize-payload (set by reset).</summary>
    Sanitize,

    /// <summary>skip-sanitize-payload.</summary>
    Skip,
}

namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>Redis 7.0's ACL texts (acl.c), in one place.</summary>
internal static class AclTexts
{
    public const string SyntaxError = "Syntax error";
    public const string UnknownCommandOrCategory = "Unknown command or category name in ACL";
    public const string PatternAfterAllKeys = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    public const string PatternAfterAllChannels = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    public const string NoSuchPassword = "The password you are trying to remove from the user does not exist";
    public const string BadHash = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    public const string DuplicateUser = "Duplicate user found. A user can only be defined once in config files";

    public const string NoPermCommandPrefix = "NOPERM this user has no permissions to run the '";
    public const string NoPermKey = "NOPERM this user has no permissions to access one of the keys used as arguments";
    public const string ScriptNoPermCommand = "ERR The user executing the script can't run this command or subcommand";
    public const string ScriptNoPermKey = "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments";
    public const string RulesChangedPrefix = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ";
    public const string SpacesInName = "ERR Usernames can't contain spaces or null characters";
    public const string DefaultCannotBeRemoved = "ERR The 'default' user cannot be removed";

    public static string NoPermCommand(string fullName) => NoPermCommandPrefix + fullName + "' command";

    public static string SetUserError(string rule, string reason) => $"ERR Error in ACL SETUSER modifier '{rule}': {reason}";

    public static string UnknownCategory(string name) => $"ERR Unknown category '{name}'";
}

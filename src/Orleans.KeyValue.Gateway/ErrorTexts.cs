using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Gateway;

/// <summary>Redis's error texts (7.0, and 8.4 for the commands it added), in one place.</summary>
internal static class ErrorTexts
{
    /// <summary>The key's owner cannot be reached or its slot is moving: retry (as Redis Cluster's TRYAGAIN).</summary>
    public const string TryAgain = Grains.ErrorReplies.TryAgain;

    /// <summary>No silo is active (Redis Cluster's text).</summary>
    public const string ClusterDown = "CLUSTERDOWN The cluster is down";

    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string AuthNotConfigured = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public const string HelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string NoProto = "NOPROTO unsupported protocol version";
    public const string ProtocolVersionNotInteger = "ERR Protocol version is not an integer or out of range";
    public const string CrossSlot = "CROSSSLOT Keys in request don't hash to the same slot";
    public const string MaxClients = "ERR max number of clients reached";
    public const string InvalidCursor = "ERR invalid cursor";
    public const string ClientNameInvalid = "ERR Client names cannot contain spaces, newlines or special characters.";
    public const string NoScript = "NOSCRIPT No matching script. Please use EVAL.";
    public const string FunctionNotFound = "ERR Function not found";
    public const string NegativeKeys = "ERR Number of keys can't be negative";
    public const string TooManyKeys = "ERR Number of keys can't be greater than number of args";
    public const string UnknownScriptCommand = "ERR Unknown Redis command called from script";
    public const string ScriptWrongArity = "ERR Wrong number of args calling Redis command from script";
    public const string NotAllowedFromScript = "ERR This Redis command is not allowed from script";
    /// <summary>DELEX with a condition other than IFEQ/IFNE/IFDEQ/IFDNE (Redis 8.4).</summary>
    public const string InvalidDelexCondition = "ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE";

    /// <summary>MSETEX numkeys not an integer in 1..INT_MAX (Redis 8.4).</summary>
    public const string InvalidNumKeys = "ERR invalid numkeys value";

    /// <summary>MSETEX with fewer arguments than numkeys pairs (Redis 8.4).</summary>
    public const string WrongKeyValuePairs = "ERR wrong number of key-value pairs";

    /// <summary>A script of one key (run in that key's grain turn) touching another key.</summary>
    public const string ScriptKeyNotDeclared = "ERR Script attempted to access a key that is not the key of its grain (a script with one key runs in that key's turn: declare every key it uses in KEYS)";

    /// <summary>A script over one slot touching a key of another slot (Redis Cluster's text).</summary>
    public const string ScriptKeyNotLocal = "ERR Script attempted to access a non local key in a cluster node";

    public static string WrongArity(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string InvalidExpireTime(string command) => $"ERR invalid expire time in '{command}' command";

    public static string UnsupportedOption(ReadOnlySpan<byte> option) => "ERR Unsupported option " + Encoding.UTF8.GetString(option);

    public static string UnknownSubcommand(ReadOnlySpan<byte> subcommand, string command) =>
        string.Create(CultureInfo.InvariantCulture, $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {command.ToUpperInvariant()} HELP.");

    /// <summary>Redis: the name (up to 128 bytes) and the first arguments, each quoted, up to 128 bytes in all.</summary>
    public static string UnknownCommand(Orleans.KeyValue.Resp.RespRequest request)
    {
        var args = new StringBuilder();
        for (var i = 1; i < request.Count && args.Length < 128; i++)
        {
            var room = 128 - args.Length;
            var text = Encoding.UTF8.GetString(request[i]);
            args.Append('\'').Append(text.Length > room ? text[..room] : text).Append("' ");
        }

        return $"ERR unknown command '{Truncate(request[0])}', with args beginning with: {args}";
    }

    private static string Truncate(ReadOnlySpan<byte> text) => Encoding.UTF8.GetString(text.Length > 128 ? text[..128] : text);
}

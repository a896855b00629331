using System.Globalization;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>The error texts of the scripting engine: Redis 7.0's, except <see cref="TimeLimitExceeded"/>.</summary>
internal static class ScriptErrors
{
    public const string NoArguments = "ERR Please specify at least one argument for this redis lib call";

    public const string BadArgument = "ERR Lua redis lib command arguments must be strings or integers";

    public const string CompilePrefix = "ERR Error compiling script (new function): ";

    /// <summary>FUNCTION LOAD of code Lua cannot compile.</summary>
    public const string CompileFunctionPrefix = "ERR Error compiling function: ";

    /// <summary>FCALL of a function no library registered.</summary>
    public const string FunctionNotFound = "ERR Function not found";

    public const string StackLimit = "ERR reached lua stack limit";

    /// <summary>Ours: Redis has SCRIPT KILL instead of a hard limit.</summary>
    public static string TimeLimitExceeded(TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"ERR Script exceeded the time limit of {(long)limit.TotalMilliseconds} ms and was stopped");

    /// <summary>An error object that is neither a string nor a table with an <c>err</c> string (Redis 7.0 crashes).</summary>
    public const string UnknownError = "ERR unknown error";

    /// <summary>A call made after the script was told to stop (its time is up, or a call failed).</summary>
    public const string Stopped = "ERR script stopped";

    // Lua error messages that Redis raises as strings: the message handler makes them "ERR <message>".

    public const string WrongNumberOfArguments = "wrong number of arguments";

    public const string LogArgumentCount = "redis.log() requires two arguments or more.";

    public const string LogLevelType = "First argument must be a number (log level).";

    public const string LogLevelRange = "Invalid debug level.";

    /// <summary>Redis 7.0's text, though the command takes one argument.</summary>
    public const string SetReplArgumentCount = "redis.set_repl() requires two arguments.";

    public const string SetReplFlags = "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";

    public const string InvalidShebang = "ERR Invalid script shebang";

    public const string InvalidShebangEngine = "ERR Invalid engine in script shebang";

    public const string UnexpectedShebangEngine = "ERR Unexpected engine in script shebang: ";

    public const string UnexpectedShebangFlag = "ERR Unexpected flag in script shebang: ";

    public const string UnknownShebangOption = "ERR Unknown lua shebang option: ";
}

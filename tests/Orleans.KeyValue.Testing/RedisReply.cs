using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// Redis replies as RESP text, for stating what the reference redis-server answers
/// (see <see cref="DifferentialRun.AssertReplyAsync"/>).
/// </summary>
public static class RedisReply
{
    public const string Ok = "+OK\r\n";
    public const string Pong = "+PONG\r\n";

    /// <summary>RESP2 nil bulk string.</summary>
    public const string Nil = "$-1\r\n";

    /// <summary>RESP3 null.</summary>
    public const string Null = "_\r\n";

    public const string SyntaxError = "-ERR syntax error\r\n";
    public const string NotAnInteger = "-ERR value is not an integer or out of range\r\n";

    public static string Integer(long value) => string.Create(CultureInfo.InvariantCulture, $":{value}\r\n");

    public static string Bulk(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Create(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(value)}\r\n{value}\r\n");
    }

    public static string Status(string text) => "+" + text + "\r\n";

    public static string Error(string text) => "-" + text + "\r\n";

    /// <summary><c>ERR invalid expire time in '<paramref name="command"/>' command</c>.</summary>
    public static string InvalidExpireTime(string command) => Error($"ERR invalid expire time in '{command}' command");

    /// <summary><c>ERR wrong number of arguments for '<paramref name="command"/>' command</c>.</summary>
    public static string WrongArity(string command) => Error($"ERR wrong number of arguments for '{command}' command");
}

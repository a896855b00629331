namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>
/// Redis 7.0's ACL categories, in the order ACL CAT lists them, and the categories of every Redis
/// 7.0 command and subcommand as its COMMAND INFO reports them (CommandCategories.txt), served
/// here or not: rules may name any of them (Redis accepts +lpush whether or not anyone calls it),
/// and ACL LIST weighs categories over all of them, as Redis does.
/// </summary>
internal static class AclCategories
{
    /// <summary>Every category, in Redis's order.</summary>
    public static readonly string[] Names =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    private static readonly Dictionary<string, string[]> ByCommand = Load();

    /// <summary>Every command and subcommand, by full name, in the table's order (a container before its subcommands).</summary>
    public static IEnumerable<string> Commands => ByCommand.Keys;

    /// <summary>
    /// The categories of the command named <paramref name="name"/> (full name, <c>container|sub</c>
    /// for subcommands), with their @; every command of the catalog has an entry.
    /// </summary>
    public static string[] Of(string name) => ByCommand.TryGetValue(name, out var categories)
        ? categories
        : throw new InvalidOperationException($"The command '{name}' has no ACL categories: add Redis's to CommandCategories.txt.");

    private static Dictionary<string, string[]> Load()
    {
        using var stream = typeof(AclCategories).Assembly.GetManifestResourceStream("Orleans.KeyValue.Gateway.Acl.CommandCategories.txt")
            ?? throw new InvalidOperationException("CommandCategories.txt is not embedded in the gateway assembly.");
        using var reader = new StreamReader(stream);
        var byCommand = new Dictionary<string, string[]>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            byCommand.Add(parts[0], parts[1..]);
        }

        return byCommand;
    }
}

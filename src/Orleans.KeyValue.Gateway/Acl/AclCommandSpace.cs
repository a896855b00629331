namespace Orleans.KeyValue.Gateway.Acl;

/// <summary>
/// The commands ACL rules name: every Redis command and subcommand by full name
/// (<c>container|sub</c>), each with a dense id for a user's permission bits (Redis's command ids).
/// </summary>
internal static class AclCommandSpace
{
    private static readonly string[] FullNames = [.. AclCategories.Commands];
    private static readonly Dictionary<string, int> Ids = FullNames.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id, StringComparer.OrdinalIgnoreCase);
    private static readonly int[][] Children = BuildChildren();
    private static readonly int[][] ByCategory = [.. AclCategories.Names.Select(c => Enumerable.Range(0, FullNames.Length).Where(i => AclCategories.Of(FullNames[i]).Contains("@" + c)).ToArray())];

    /// <summary>How many ids there are.</summary>
    public static int Count => FullNames.Length;

    /// <summary>The id of the command or subcommand named <paramref name="fullName"/> (any case), or -1.</summary>
    public static int IdOf(string fullName) => Ids.TryGetValue(fullName, out var id) ? id : -1;

    /// <summary>The full name of <paramref name="id"/>, lower case.</summary>
    public static string NameOf(int id) => FullNames[id];

    /// <summary>True for a top-level command (not a subcommand).</summary>
    public static bool IsTopLevel(int id) => !FullNames[id].Contains('|', StringComparison.Ordinal);

    /// <summary>The subcommands of <paramref name="id"/> (none for a plain command or a subcommand).</summary>
    public static IReadOnlyList<int> SubcommandsOf(int id) => Children[id];

    /// <summary>The ids of every command and subcommand in <paramref name="category"/> (without the @, any case), or null for no such category.</summary>
    public static IReadOnlyList<int>? InCategory(string category)
    {
        var index = Array.FindIndex(AclCategories.Names, n => string.Equals(n, category, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : ByCategory[index];
    }

    /// <summary>The ids of every command and subcommand in the category at <paramref name="index"/> of <see cref="AclCategories.Names"/>.</summary>
    public static IReadOnlyList<int> InCategory(int index) => ByCategory[index];

    private static int[][] BuildChildren()
    {
        var children = new int[FullNames.Length][];
        for (var id = 0; id < FullNames.Length; id++)
        {
            var prefix = FullNames[id] + "|";
            children[id] = IsTopLevel(id)
                ? [.. Enumerable.Range(0, FullNames.Length).Where(i => FullNames[i].StartsWith(prefix, StringComparison.Ordinal))]
                : [];
        }

        return children;
    }
}

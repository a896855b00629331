namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>
/// The servers of <see cref="AclCollection"/>: both started with a default-user password and
/// the same ACL users, given as Redis takes them on its command line (<c>--user name rule ...</c>).
/// </summary>
public sealed class AclServersFixture : ServerPairFixture
{
    public const string DefaultPassword = "default pw";
    public const string ReaderPassword = "readpw";
    public const string CacherPassword = "cachepw";
    public const string DisabledPassword = "offpw";

    protected override IReadOnlyList<string> ExtraArguments =>
    [
        "--requirepass", DefaultPassword,
        "--user", "reader", "on", ">" + ReaderPassword, "~*", "+@read",
        "--user", "cacher", "on", ">" + CacherPassword, "~cache:*", "+@all", "-@dangerous",
        "--user", "disabled", "off", ">" + DisabledPassword, "~*", "+@all",
    ];
}

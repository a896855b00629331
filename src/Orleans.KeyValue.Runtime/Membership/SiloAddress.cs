using System.Globalization;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// One incarnation of a silo (Orleans's <c>SiloAddress</c>): where its silo-to-silo port
/// listens and its generation, the start time in Unix milliseconds, so a restart on the same
/// address is a different silo.
/// </summary>
/// <param name="Host">The address other silos reach it at.</param>
/// <param name="Port">The silo-to-silo port.</param>
/// <param name="Generation">Unique per incarnation; later incarnations have larger numbers.</param>
public sealed record SiloAddress(string Host, int Port, long Generation)
{
    /// <summary>The endpoint part, <c>host:port</c>.</summary>
    public string Endpoint => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>host:port@generation</c>, the form stored in the table.</summary>
    public override string ToString() => Endpoint + "@" + Generation.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses the form <see cref="ToString"/> writes.</summary>
    public static bool TryParse(string text, out SiloAddress address)
    {
        address = null!;
        var at = text.LastIndexOf('@');
        var colon = at < 0 ? -1 : text.LastIndexOf(':', at);
        if (colon <= 0 ||
            !int.TryParse(text.AsSpan(colon + 1, at - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
            !long.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return false;
        }

        address = new SiloAddress(text[..colon], port, generation);
        return true;
    }

    /// <summary>Parses or throws.</summary>
    public static SiloAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not host:port@generation.");
}

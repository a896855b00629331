using System.Globalization;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>Parses <c>host:port</c> (an IPv6 host may be bracketed).</summary>
public static class SiloEndpoint
{
    /// <summary>Splits <paramref name="endpoint"/>; false unless it is host:port with a port in 1-65535.</summary>
    public static bool TryParse(string? endpoint, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = endpoint?.LastIndexOf(':') ?? -1;
        if (colon <= 0 ||
            !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) ||
            port is < 1 or > 65535)
        {
            return false;
        }

        host = endpoint![..colon].Trim('[', ']');
        return host.Length > 0;
    }
}

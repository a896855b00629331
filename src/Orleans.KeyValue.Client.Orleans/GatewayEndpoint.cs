using System.Globalization;
using System.Net;

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// A gateway given as <c>host:port</c> (an IPv6 address in brackets: <c>[::1]:30000</c>). Orleans
/// takes gateways as IP addresses only, so a host name is resolved here.
/// </summary>
internal static class GatewayEndpoint
{
    public static bool TryParse(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
        {
            return false;
        }

        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        // A bare IPv6 address has colons of its own; it needs brackets to carry a port.
        return host.Length > 0 && (!host.Contains(':', StringComparison.Ordinal) || (IPAddress.TryParse(host, out _) && text.StartsWith('[')));
    }

    /// <summary>
    /// The addresses of <paramref name="text"/>: an IP address as it is, <c>localhost</c> as
    /// 127.0.0.1 (silos listen on IPv4 loopback), any other name as every address DNS gives.
    /// </summary>
    public static IEnumerable<IPEndPoint> Resolve(string text)
    {
        if (!TryParse(text, out var host, out var port))
        {
            throw new FormatException($"Gateway '{text}' is not host:port.");
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return [new IPEndPoint(address, port)];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [new IPEndPoint(IPAddress.Loopback, port)];
        }

        // Runs once, when the client's options are first read as it starts.
        return Dns.GetHostAddresses(host).Select(a => new IPEndPoint(a, port));
    }
}

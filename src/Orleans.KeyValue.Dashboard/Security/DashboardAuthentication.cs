using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Orleans.KeyValue.Dashboard.Security;

/// <summary>
/// HTTP Basic with one password (any user name), compared in constant time. Without a password
/// every request passes, but values are shown only to requests from this machine (the silo
/// refuses a non-loopback bind without a password unless the operator opts out).
/// </summary>
internal static class DashboardAuthentication
{
    public const string Realm = "Basic realm=\"Orleans.KeyValue dashboard\", charset=\"UTF-8\"";

    public static bool IsAuthorized(HttpContext context, KeyValueDashboardOptions options)
    {
        if (string.IsNullOrEmpty(options.Password))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var given = Encoding.UTF8.GetBytes(colon < 0 ? decoded : decoded[(colon + 1)..]);
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(options.Password));
    }

    /// <summary>True when this request may see values: it authenticated with the password, or none is set and it comes from this machine.</summary>
    public static bool MayShowValues(HttpContext context, KeyValueDashboardOptions options) =>
        string.IsNullOrEmpty(options.Password)
            ? context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            : IsAuthorized(context, options);
}

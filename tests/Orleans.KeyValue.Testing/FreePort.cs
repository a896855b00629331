using System.Net;
using System.Net.Sockets;

namespace Orleans.KeyValue.Testing;

/// <summary>Free TCP ports on 127.0.0.1 for servers started by tests.</summary>
public static class FreePort
{
    /// <summary>
    /// A port the OS reports free right now. Another process may take it before the caller binds
    /// it; servers started on it fail loudly in that case, they never talk to a stranger.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

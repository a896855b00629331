using System.Net;
using System.Net.Sockets;

namespace Orleans.KeyValue.Testing;

/// <summary>Free TCP ports on 127.0.0.1 for servers started by tests.</summary>
public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999 by default): a port the OS hands out for "any
    // port" is also what the next outgoing connection of a parallel test may take before the
    // server binds it. Ports here are only taken by someone binding them on purpose.
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port that could be bound just now and was not handed out before in this process.
    /// Another process may still take it before the caller binds it; servers started on it fail
    /// loudly in that case, they never talk to a stranger.
    /// </summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (Given.Contains(port) || !CanBind(port))
                {
                    continue;
                }

                Given.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"No free port between {First} and {Last}.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

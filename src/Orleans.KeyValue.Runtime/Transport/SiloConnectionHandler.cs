using Microsoft.AspNetCore.Connections;

namespace Orleans.KeyValue.Runtime.Transport;

/// <summary>The silo port on Kestrel: every connection is a peer silo's multiplexed channel.</summary>
public sealed class SiloConnectionHandler(SiloTransport transport) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return transport.ServeAsync(connection.Transport, connection.ConnectionClosed);
    }
}

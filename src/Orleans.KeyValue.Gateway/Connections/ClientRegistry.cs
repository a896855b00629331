using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>The connected clients: ids, <c>maxclients</c>, CLIENT LIST and INFO clients.</summary>
public sealed class ClientRegistry(IOptions<RespGatewayOptions> options)
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private readonly int _maxClients = options.Value.MaxClients;
    private long _nextId;
    private long _accepted;
    private long _rejected;

    /// <summary>Clients connected now.</summary>
    public int Count => _clients.Count;

    /// <summary>Connections accepted since start.</summary>
    public long AcceptedTotal => Interlocked.Read(ref _accepted);

    /// <summary>Connections refused by <c>maxclients</c>.</summary>
    public long RejectedTotal => Interlocked.Read(ref _rejected);

    /// <summary>The next client id (ids are never reused).</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Adds a client unless <c>maxclients</c> are connected.</summary>
    public bool TryAdd(ClientSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_clients.Count >= _maxClients)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        _clients[session.Id] = session;
        Interlocked.Increment(ref _accepted);
        return true;
    }

    public void Remove(ClientSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _clients.TryRemove(session.Id, out _);
    }

    /// <summary>A snapshot of the connected clients, by id.</summary>
    public IReadOnlyList<ClientSession> Snapshot() => [.. _clients.Values.OrderBy(c => c.Id)];
}

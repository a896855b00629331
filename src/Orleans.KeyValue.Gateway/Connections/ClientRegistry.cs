using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>The connected clients: ids, <c>maxclients</c>, CLIENT LIST and INFO clients.</summary>
public sealed class ClientRegistry(IOptions<RespGatewayOptions> options)
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private readonly int _maxClients = options.Value.MaxClients;
    private readonly long _maxMemoryClients = options.Value.MaxMemoryClients;
    private readonly Lock _evicting = new();
    private long _memory;
    private long _evicted;
    private long _nextId;
    private long _accepted;
    private long _rejected;

    /// <summary>Clients connected now.</summary>
    public int Count => _clients.Count;

    /// <summary>Connections accepted since start.</summary>
    public long AcceptedTotal => Interlocked.Read(ref _accepted);

    /// <summary>Connections refused by <c>maxclients</c>.</summary>
    public long RejectedTotal => Interlocked.Read(ref _rejected);

    /// <summary>The input and output all connections hold (INFO memory's <c>mem_clients_normal</c>).</summary>
    public long Memory => Interlocked.Read(ref _memory);

    /// <summary>Connections closed by <c>maxmemory-clients</c> (INFO stats' <c>evicted_clients</c>).</summary>
    public long EvictedTotal => Interlocked.Read(ref _evicted);

    /// <summary>
    /// Records what <paramref name="session"/> holds now; past <c>maxmemory-clients</c>, closes the
    /// connections holding the most until all together are under it (it may be this one).
    /// </summary>
    public void Account(ClientSession session, long inputBytes, long outputBytes)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (inputBytes == session.InputBytes && outputBytes == session.OutputBytes)
        {
            // The common case at every read: nothing held before or after.
            return;
        }

        long total;
        lock (session)
        {
            // A client already removed (closed, or evicted) counts for nothing any more.
            if (!_clients.ContainsKey(session.Id))
            {
                return;
            }

            var delta = inputBytes + outputBytes - session.InputBytes - session.OutputBytes;
            session.InputBytes = inputBytes;
            session.OutputBytes = outputBytes;
            total = Interlocked.Add(ref _memory, delta);
        }

        if (_maxMemoryClients > 0 && total > _maxMemoryClients)
        {
            EvictClients();
        }
    }

    private void EvictClients()
    {
        lock (_evicting)
        {
            while (Memory > _maxMemoryClients)
            {
                ClientSession? largest = null;
                foreach (var client in _clients.Values)
                {
                    if (client.Kill is not null && client.InputBytes + client.OutputBytes > (largest is null ? 0 : largest.InputBytes + largest.OutputBytes))
                    {
                        largest = client;
                    }
                }

                if (largest is null)
                {
                    return;
                }

                Interlocked.Increment(ref _evicted);
                var kill = largest.Kill;
                largest.Kill = null;
                Remove(largest);
                kill?.Invoke();
            }
        }
    }

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
        lock (session)
        {
            if (_clients.TryRemove(session.Id, out _))
            {
                Interlocked.Add(ref _memory, -(session.InputBytes + session.OutputBytes));
                session.InputBytes = 0;
                session.OutputBytes = 0;
            }
        }
    }

    /// <summary>A snapshot of the connected clients, by id.</summary>
    public IReadOnlyList<ClientSession> Snapshot() => [.. _clients.Values.OrderBy(c => c.Id)];
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Client;

// Cluster-aware routing: the client learns which silo owns each key slot (CLUSTER SLOTS) and
// sends a key's command to that silo's gateway over a connection of its own, so the cluster
// does not have to forward it. Any failure falls back to the gateway in use.
public sealed partial class KeyValueClient
{
    private readonly ConcurrentDictionary<string, Task<RespConnection>> _routed = new(StringComparer.Ordinal);
    private string?[]? _slotOwners;
    private long _mapReadAt;
    private int _refreshing;
    private bool _routingUnsupported;

    /// <summary>Commands sent straight to their key's owner since start.</summary>
    public long RoutedCommands => Interlocked.Read(ref _routedCommands);

    private long _routedCommands;

    /// <summary>Runs a command about <paramref name="key"/>, at its owner when the slot map knows it.</summary>
    internal async Task<RespFrame> ExecuteKeyedAsync(string key, string command, IEnumerable<object> arguments, CancellationToken cancellationToken)
    {
        var encoded = CommandEncoder.Encode([command, .. arguments]);
        RespFrame reply;
        if (await RoutedConnectionAsync(key, cancellationToken).ConfigureAwait(false) is { } connection)
        {
            try
            {
                reply = await connection.SendAsync(encoded, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _routedCommands);
            }
            catch (KeyValueConnectionException exception) when (!exception.MayHaveRun)
            {
                // The owner's gateway is gone: forget it, re-read the map, use the gateway.
                _routed.TryRemove(connection.Endpoint, out _);
                Volatile.Write(ref _mapReadAt, 0);
                reply = await SendAsync(encoded, null, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            reply = await SendAsync(encoded, null, cancellationToken).ConfigureAwait(false);
        }

        return reply.Type is RespFrameType.Error or RespFrameType.BlobError ? throw new KeyValueException(reply.Text) : reply;
    }

    private async ValueTask<RespConnection?> RoutedConnectionAsync(string key, CancellationToken cancellationToken)
    {
        if (!_options.ClusterRouting || _routingUnsupported)
        {
            return null;
        }

        var age = Environment.TickCount64 - Volatile.Read(ref _mapReadAt);
        if (age > _options.ClusterMapRefreshInterval.TotalMilliseconds && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshSlotMapAsync();
        }

        var owners = Volatile.Read(ref _slotOwners);
        if (owners?[SlotOf(key)] is not { } endpoint || endpoint == _connection?.Endpoint)
        {
            return null;
        }

        var opening = _routed.GetOrAdd(endpoint, e => RespConnection.OpenAsync(e, _options.ConnectTimeout, _options.MaxPendingCommands, _tls, CancellationToken.None));
        try
        {
            var connection = await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!connection.IsClosed)
            {
                return connection;
            }
        }
        catch (KeyValueConnectionException)
        {
            // Unreachable from here (another network, a firewall): the gateway will forward.
        }

        _routed.TryRemove(new KeyValuePair<string, Task<RespConnection>>(endpoint, opening));
        return null;
    }

    /// <summary>The key's slot from its UTF-8 bytes, without allocating for keys of ordinary length.</summary>
    private static int SlotOf(string key)
    {
        const int StackLimit = 256;
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> bytes = max <= StackLimit ? stackalloc byte[StackLimit] : new byte[max];
        return KeySlot.Of(bytes[..Encoding.UTF8.GetBytes(key, bytes)]);
    }

    private async Task RefreshSlotMapAsync()
    {
        try
        {
            var reply = await ExecuteAsync("CLUSTER", ["SLOTS"], null, CancellationToken.None).ConfigureAwait(false);
            var owners = new string?[KeySlot.Count];
            foreach (var range in reply.Items ?? [])
            {
                var items = range.Items;
                if (items is not { Count: >= 3 } || items[2].Items is not { Count: >= 2 } node)
                {
                    continue;
                }

                var endpoint = node[0].Text + ":" + node[1].Integer.ToString(CultureInfo.InvariantCulture);
                for (var slot = (int)items[0].Integer; slot <= (int)items[1].Integer && slot < KeySlot.Count; slot++)
                {
                    owners[slot] = endpoint;
                }
            }

            Volatile.Write(ref _slotOwners, owners);
        }
        catch (KeyValueException exception) when (exception is not KeyValueConnectionException)
        {
            // Not a cluster-aware server (plain Redis says ERR ... cluster support disabled).
            _routingUnsupported = true;
        }
        catch (Exception exception) when (exception is KeyValueConnectionException or TimeoutException)
        {
            // Try again at the next interval.
        }
        finally
        {
            Volatile.Write(ref _mapReadAt, Environment.TickCount64);
            Volatile.Write(ref _refreshing, 0);
        }
    }
}

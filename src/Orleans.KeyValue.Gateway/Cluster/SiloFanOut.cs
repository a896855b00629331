using Orleans.KeyValue.Gateway.Acl;
using Orleans.KeyValue.Gateway.Keyspace;
using Orleans.KeyValue.Grains.Scripting;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Gateway.Cluster;

/// <summary>
/// Cluster-wide commands: every active silo runs its part (a <see cref="LocalOperation"/>) on its
/// own keys or script cache, and the caller combines the replies. Without a cluster only this
/// silo's part runs. The receiving side is here too: it answers other silos' requests.
/// </summary>
internal sealed class SiloFanOut
{
    private readonly ClusterRouter? _cluster;
    private readonly KeyspaceService _keyspace;
    private readonly LuaScriptEngine _scripts;
    private readonly AclUsers? _users;
    private readonly Action<IReadOnlyList<AclUser>>? _usersDeleted;

    public SiloFanOut(ClusterRouter? cluster, KeyspaceService keyspace, LuaScriptEngine scripts, AclUsers? users = null, Action<IReadOnlyList<AclUser>>? usersDeleted = null)
    {
        _cluster = cluster;
        _keyspace = keyspace;
        _scripts = scripts;
        _users = users;
        _usersDeleted = usersDeleted;
        cluster?.Transport.Handle(SiloMessageType.LocalCommand, HandleLocalOperationAsync);
        if (cluster is not null)
        {
            _ = CopyLibrariesWhenJoinedAsync(cluster);
            if (users is not null)
            {
                _ = CopyUsersWhenJoinedAsync(cluster, users);
            }
        }
    }

    /// <summary>
    /// Once this silo has joined, it takes the users of a silo already there (ACL SETUSER and
    /// DELUSER reached only the silos active then), so a client is held to the same rules whichever silo it reaches.
    /// </summary>
    private Task CopyUsersWhenJoinedAsync(ClusterRouter cluster, AclUsers users) =>
        CopyFromAPeerWhenJoinedAsync(cluster, LocalOperation.AclList, reply =>
        {
            if (reply.Kind != KvReplyKind.Array || reply.Items is null)
            {
                return false;
            }

            users.CopyFrom([.. reply.Items.Select(i => System.Text.Encoding.UTF8.GetString(i.Bytes.Span))]);
            return true;
        });

    /// <summary>
    /// Once this silo has joined, it takes the function libraries of a silo already there, so that
    /// FCALL works for the keys it now owns (FUNCTION LOAD reached only the silos active then).
    /// </summary>
    private Task CopyLibrariesWhenJoinedAsync(ClusterRouter cluster) =>
        CopyFromAPeerWhenJoinedAsync(cluster, LocalOperation.FunctionDump, reply =>
        {
            if (reply.Kind != KvReplyKind.Bulk)
            {
                return false;
            }

            if (Grains.Scripting.FunctionDump.TryDecode(reply.Bytes.ToArray(), out var codes, out _) && codes.Count > 0)
            {
                _scripts.RestoreLibraries(codes, "REPLACE");
            }

            return true;
        });

    /// <summary>
    /// Once this silo has joined, asks the other active silos in turn for <paramref name="operation"/>
    /// until <paramref name="take"/> accepts a reply (state that cluster-wide commands set on the
    /// silos active at the time, which a silo joining later would miss).
    /// </summary>
    private async Task CopyFromAPeerWhenJoinedAsync(ClusterRouter cluster, LocalOperation operation, Func<KvReply, bool> take)
    {
        var membership = cluster.Membership;
        try
        {
            await membership.Joined;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return;
        }

        var ask = new WireWriter();
        ask.WriteByte((byte)operation);
        foreach (var silo in membership.View.ActiveSilos.Where(s => !s.Equals(membership.Me)))
        {
            if (take(await SendAsync(silo, ask.Written)))
            {
                return;
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> on every active silo (this one locally) and returns the replies.</summary>
    public async Task<List<KvReply>> OnEverySiloAsync(LocalOperation operation, Action<WireWriter>? arguments = null)
    {
        var replies = new List<KvReply>();
        if (_cluster is null)
        {
            replies.Add(await RunLocalAsync(operation, new WireReader(Arguments(arguments))));
            return replies;
        }

        var membership = _cluster.Membership;
        var payload = new WireWriter();
        payload.WriteByte((byte)operation);
        arguments?.Invoke(payload);
        var tasks = new List<Task<KvReply>>();
        var includesMe = false;
        foreach (var silo in membership.View.ActiveSilos)
        {
            if (silo.Equals(membership.Me))
            {
                includesMe = true;
                continue;
            }

            tasks.Add(SendAsync(silo, payload.Written));
        }

        if (includesMe || membership.View.ActiveSilos.Count == 0)
        {
            replies.Add(await RunLocalAsync(operation, new WireReader(Arguments(arguments))));
        }

        replies.AddRange(await Task.WhenAll(tasks));
        return replies;
    }

    /// <summary>Runs <paramref name="operation"/> on every active silo but this one (none without a cluster) and returns their replies.</summary>
    public async Task<KvReply[]> OnEveryOtherSiloAsync(LocalOperation operation, Action<WireWriter>? arguments = null)
    {
        if (_cluster is null)
        {
            return [];
        }

        var membership = _cluster.Membership;
        var payload = new WireWriter();
        payload.WriteByte((byte)operation);
        arguments?.Invoke(payload);
        return await Task.WhenAll(membership.View.ActiveSilos.Where(s => !s.Equals(membership.Me)).Select(s => SendAsync(s, payload.Written)));
    }

    /// <summary>The owner of <paramref name="slot"/> when it is another silo; null when this silo answers for it (or no owner is known).</summary>
    public SiloAddress? RemoteOwnerOf(int slot)
    {
        if (_cluster is null)
        {
            return null;
        }

        var owner = _cluster.Membership.View.OwnerOf(slot);
        return owner is null || owner.Equals(_cluster.Membership.Me) ? null : owner;
    }

    /// <summary>Sends one local operation (its code first, then its arguments) to <paramref name="silo"/>.</summary>
    public async Task<KvReply> SendAsync(SiloAddress silo, ReadOnlyMemory<byte> payload)
    {
        try
        {
            // Only a clustered fan-out knows other silos: RemoteOwnerOf and the view are null without one.
            var response = await _cluster!.Transport.SendAsync(silo, SiloMessageType.LocalCommand, payload);
            return KvReplyCodec.Read(new WireReader(response));
        }
        catch (SiloUnreachableException)
        {
            return KvReply.FromError(ErrorTexts.TryAgain);
        }
    }

    private static ReadOnlyMemory<byte> Arguments(Action<WireWriter>? arguments)
    {
        var writer = new WireWriter();
        arguments?.Invoke(writer);
        return writer.Written;
    }

    private async ValueTask<byte[]> HandleLocalOperationAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var reader = new WireReader(payload);
        var operation = (LocalOperation)reader.ReadByte();
        return KvReplyCodec.ToBytes(await RunLocalAsync(operation, reader));
    }

    private async ValueTask<KvReply> RunLocalAsync(LocalOperation operation, WireReader reader)
    {
        if (operation == LocalOperation.Flush)
        {
            // Every slot here and its backup's copy: the FLUSHALL is in both before it is answered.
            return await _keyspace.FlushAsync() ? KvReply.Ok : KvReply.FromError(Grains.ErrorReplies.BackupTimeout);
        }

        return RunLocal(operation, reader);
    }

    private KvReply RunLocal(LocalOperation operation, WireReader reader)
    {
        switch (operation)
        {
            case LocalOperation.DbSize:
                return KvReply.FromInteger(_keyspace.Count);
            case LocalOperation.Keys:
                return KvReply.FromArray([.. _keyspace.Keys(reader.ReadBytes())]);
            case LocalOperation.Scan:
                var cursor = reader.ReadInt64();
                var count = reader.ReadInt32();
                var pattern = reader.ReadByte() == 1 ? reader.ReadBytes() : null;
                var type = reader.ReadByte() == 1 ? reader.ReadBytes() : null;
                return _keyspace.Scan(cursor, count, pattern, type);
            case LocalOperation.KeyspaceStats:
                var (keys, expires) = _keyspace.Statistics();
                return KvReply.FromArray([KvReply.FromInteger(keys), KvReply.FromInteger(expires)]);
            case LocalOperation.ScriptLoad:
                return _scripts.Load(reader.ReadBytes());
            case LocalOperation.ScriptFlush:
                _scripts.Flush();
                return KvReply.Ok;
            case LocalOperation.FunctionLoad:
                var replace = reader.ReadByte() == 1;
                return _scripts.LoadLibrary(reader.ReadBytes(), replace);
            case LocalOperation.FunctionDelete:
                return _scripts.DeleteLibrary(reader.ReadString() ?? string.Empty) ? KvReply.Ok : KvReply.FromError("ERR Library not found");
            case LocalOperation.FunctionFlush:
                _scripts.FlushLibraries();
                return KvReply.Ok;
            case LocalOperation.FunctionDump:
                return KvReply.FromBulk(Grains.Scripting.FunctionDump.Encode(_scripts.Libraries.Select(l => l.Code)));
            case LocalOperation.FunctionRestore:
                var policy = reader.ReadString() ?? "APPEND";
                return Grains.Scripting.FunctionDump.TryDecode(reader.ReadBytes(), out var codes, out var error)
                    ? _scripts.RestoreLibraries(codes, policy)
                    : KvReply.FromError(error);
            case LocalOperation.AclSetUser when _users is not null:
                var name = reader.ReadString() ?? string.Empty;
                var rules = new string[reader.ReadInt32()];
                for (var i = 0; i < rules.Length; i++)
                {
                    rules[i] = reader.ReadString() ?? string.Empty;
                }

                return _users.SetUser(name, rules) is { } failure ? KvReply.FromError(failure) : KvReply.Ok;
            case LocalOperation.AclList when _users is not null:
                return KvReply.FromArray([.. _users.Describe().Select(KvReply.FromBulk)]);
            case LocalOperation.AclDelUser when _users is not null:
                var names = new string[reader.ReadInt32()];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = reader.ReadString() ?? string.Empty;
                }

                var removed = _users.DeleteUsers(names);
                _usersDeleted?.Invoke(removed);
                return KvReply.FromInteger(removed.Count);
            default:
                throw new InvalidDataException($"Unknown local operation {operation}.");
        }
    }
}

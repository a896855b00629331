using System.Text.Json;
using Orleans.KeyValue.Runtime.Transport;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>
/// The embedded table as the silos that did not start it see it: every operation travels over
/// the silo connection to a seed, which answers from its own table (hosted, or reached in turn
/// through its own seed).
/// </summary>
public sealed class RemoteMembershipTable(SiloTransport transport, IReadOnlyList<string> seeds) : IMembershipTable
{
    private int _seed;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => ReadAllAsync(cancellationToken);

    public async Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default) =>
        MembershipTableProtocol.ToSnapshot(await CallAsync(new MembershipTableProtocol.Request { Op = "read" }, cancellationToken));

    public async Task<bool> InsertRowAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken = default) =>
        (await CallAsync(new MembershipTableProtocol.Request { Op = "insert", Entry = entry, Version = expectedVersion }, cancellationToken)).Ok;

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long expectedVersion, CancellationToken cancellationToken = default) =>
        (await CallAsync(new MembershipTableProtocol.Request { Op = "update", Entry = entry, ETag = etag, Version = expectedVersion }, cancellationToken)).Ok;

    public async Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        await CallAsync(new MembershipTableProtocol.Request { Op = "alive", Silo = silo, Time = time }, cancellationToken);

    public async Task<int> CleanupDeadAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        (int)(await CallAsync(new MembershipTableProtocol.Request { Op = "cleanup", Time = before }, cancellationToken)).Version;

    private async Task<MembershipTableProtocol.Response> CallAsync(MembershipTableProtocol.Request request, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, MembershipTableProtocol.Json);
        SiloUnavailableException? last = null;
        for (var attempt = 0; attempt < seeds.Count; attempt++)
        {
            var index = (Volatile.Read(ref _seed) + attempt) % seeds.Count;
            try
            {
                var response = await transport.SendAsync(seeds[index], SiloMessageType.MembershipTable, payload, cancellationToken: cancellationToken);
                Volatile.Write(ref _seed, index);
                return JsonSerializer.Deserialize<MembershipTableProtocol.Response>(response, MembershipTableProtocol.Json)
                    ?? throw new InvalidDataException("Empty membership table response.");
            }
            catch (SiloUnavailableException exception)
            {
                last = exception;
            }
        }

        throw new SiloUnavailableException("No seed silo answered for the membership table: " + last?.Message, last!);
    }
}

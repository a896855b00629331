using System.Text.Json;

namespace Orleans.KeyValue.Runtime.Membership;

/// <summary>The embedded table's operations on the silo connection, as JSON (rare, small messages).</summary>
public static class MembershipTableProtocol
{
    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Answers one request against <paramref name="table"/>.</summary>
    public static async ValueTask<byte[]> HandleAsync(IMembershipTable table, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var request = JsonSerializer.Deserialize<Request>(payload.Span, Json) ?? throw new InvalidDataException("Empty membership table request.");
        var response = request.Op switch
        {
            "read" => FromSnapshot(await table.ReadAllAsync(cancellationToken)),
            "insert" => new Response { Ok = await table.InsertRowAsync(Required(request.Entry), request.Version, cancellationToken) },
            "update" => new Response { Ok = await table.UpdateRowAsync(Required(request.Entry), request.ETag ?? string.Empty, request.Version, cancellationToken) },
            "alive" => await AliveAsync(table, request, cancellationToken),
            "cleanup" => new Response { Ok = true, Version = await table.CleanupDeadAsync(request.Time, cancellationToken) },
            _ => throw new InvalidDataException($"Unknown membership table operation '{request.Op}'."),
        };
        return JsonSerializer.SerializeToUtf8Bytes(response, Json);
    }

    internal static MembershipSnapshot ToSnapshot(Response response) =>
        new(response.Version, [.. (response.Rows ?? []).Select(r => new MembershipRow(r.Entry, r.ETag))]);

    private static Response FromSnapshot(MembershipSnapshot snapshot) => new()
    {
        Ok = true,
        Version = snapshot.Version,
        Rows = [.. snapshot.Rows.Select(r => new Row { Entry = r.Entry, ETag = r.ETag })],
    };

    private static async Task<Response> AliveAsync(IMembershipTable table, Request request, CancellationToken cancellationToken)
    {
        await table.UpdateIAmAliveAsync(request.Silo ?? throw new InvalidDataException("No silo."), request.Time, cancellationToken);
        return new Response { Ok = true };
    }

    private static MembershipEntry Required(MembershipEntry? entry) => entry ?? throw new InvalidDataException("No entry.");

    internal sealed class Request
    {
        public string Op { get; set; } = string.Empty;

        public MembershipEntry? Entry { get; set; }

        public string? ETag { get; set; }

        public long Version { get; set; }

        public SiloAddress? Silo { get; set; }

        public DateTimeOffset Time { get; set; }
    }

    internal sealed class Response
    {
        public bool Ok { get; set; }

        public long Version { get; set; }

        public List<Row>? Rows { get; set; }
    }

    internal sealed class Row
    {
        public required MembershipEntry Entry { get; set; }

        public required string ETag { get; set; }
    }
}

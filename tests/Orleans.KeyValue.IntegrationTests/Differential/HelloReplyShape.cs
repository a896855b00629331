using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>
/// HELLO's reply names the server, its version and the client id, which differ between
/// servers: this checks its shape (type, field names in Redis's order, protocol) instead of its bytes.
/// </summary>
internal static class HelloReplyShape
{
    private static readonly string[] Fields = ["server", "version", "proto", "id", "mode", "role", "modules"];

    /// <summary>Sends <paramref name="args"/> (a HELLO) to both and fails unless both replies have HELLO's shape for <paramref name="protocol"/>.</summary>
    public static async Task AssertBothAsync(DifferentialRun run, int protocol, params string[] args)
    {
        var (expected, actual) = await run.BothAsync(args);
        var reference = Describe("redis-server", expected, protocol);
        var underTest = Describe("under test", actual, protocol);
        if (reference.Length != 0 || underTest.Length != 0)
        {
            throw new DifferentialMismatchException(
                $"HELLO reply shape differs from Redis's for: {RespDisplay.Command(args)}\n{reference}{underTest}"
                + $"  redis-server: \"{RespDisplay.Escape(expected)}\"\n  under test:   \"{RespDisplay.Escape(actual)}\"");
        }
    }

    /// <summary>Empty when <paramref name="reply"/> has HELLO's shape; otherwise what is wrong.</summary>
    private static string Describe(string who, byte[] reply, int protocol)
    {
        if (!RespReplyReader.TryRead(reply, out var frame, out _))
        {
            return $"  {who}: not a whole reply\n";
        }

        var expectedType = protocol == 3 ? RespFrameType.Map : RespFrameType.Array;
        if (frame.Type != expectedType || frame.Items is null)
        {
            return $"  {who}: a {frame.Type}, not a {expectedType}\n";
        }

        var names = frame.Items.Where((_, i) => i % 2 == 0).Select(item => item.Text).ToArray();
        if (!names.SequenceEqual(Fields))
        {
            return $"  {who}: fields [{string.Join(", ", names)}], Redis has [{string.Join(", ", Fields)}]\n";
        }

        var proto = frame.Items[(2 * Array.IndexOf(Fields, "proto")) + 1];
        return proto.Type == RespFrameType.Integer && proto.Integer == protocol
            ? string.Empty
            : $"  {who}: proto is {proto}, not {protocol}\n";
    }
}

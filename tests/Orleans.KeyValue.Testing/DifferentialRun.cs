using System.Globalization;
using System.Text;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// One connection to the reference <c>redis-server</c> and one to the server under test. Every
/// command goes to both; the raw reply bytes are compared. Keys made with <see cref="Key"/>
/// carry a prefix unique to this run, so tests can share servers and run in any order.
/// </summary>
public sealed class DifferentialRun : IAsyncDisposable
{
    private const int ShownHistory = 20;

    private readonly List<string> _history = [];

    private DifferentialRun(RawRespConnection expected, RawRespConnection actual, string keyPrefix)
    {
        Expected = expected;
        Actual = actual;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The connection to the reference redis-server.</summary>
    public RawRespConnection Expected { get; }

    /// <summary>The connection to the server under test.</summary>
    public RawRespConnection Actual { get; }

    /// <summary>Put before every key name of this run.</summary>
    public string KeyPrefix { get; }

    /// <summary>
    /// Opens fresh connections to both servers. The key prefix is <paramref name="testName"/>
    /// plus a random part, so keys never collide with another test's or another run's.
    /// </summary>
    public static async Task<DifferentialRun> OpenAsync(
        int expectedPort,
        int actualPort,
        string testName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(testName);
        var expected = await RawRespConnection.ConnectAsync(expectedPort, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var actual = await RawRespConnection.ConnectAsync(actualPort, cancellationToken: cancellationToken).ConfigureAwait(false);
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{testName}:{Guid.NewGuid().ToString("N")[..8]}:");
            return new DifferentialRun(expected, actual, prefix);
        }
        catch
        {
            await expected.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The key <paramref name="name"/>, unique to this run.</summary>
    public string Key(string name = "key") => KeyPrefix + name;

    /// <summary>Sends the command to both servers at once and returns both replies.</summary>
    public async Task<(byte[] Expected, byte[] Actual)> BothAsync(params string[] args)
    {
        var expected = Expected.CommandAsync(args);
        var actual = Actual.CommandAsync(args);
        return (await expected.ConfigureAwait(false), await actual.ConfigureAwait(false));
    }

    /// <summary>Sends a command of raw argument bytes to both servers at once and returns both replies.</summary>
    public async Task<(byte[] Expected, byte[] Actual)> BothAsync(params byte[][] args)
    {
        var expected = Expected.CommandAsync(args);
        var actual = Actual.CommandAsync(args);
        return (await expected.ConfigureAwait(false), await actual.ConfigureAwait(false));
    }

    /// <summary>Sends raw bytes to both servers at once and returns the first reply of each.</summary>
    public async Task<(byte[] Expected, byte[] Actual)> BothRawAsync(byte[] request)
    {
        var expected = Expected.SendRawAsync(request);
        var actual = Actual.SendRawAsync(request);
        return (await expected.ConfigureAwait(false), await actual.ConfigureAwait(false));
    }

    /// <summary>Reads the next reply from both servers (after a pipelined or raw request).</summary>
    public async Task<(byte[] Expected, byte[] Actual)> BothNextReplyAsync()
    {
        var expected = Expected.ReadReplyAsync();
        var actual = Actual.ReadReplyAsync();
        return (await expected.ConfigureAwait(false), await actual.ConfigureAwait(false));
    }

    /// <summary>Sends the command to both and fails unless the replies are the same bytes; returns the reply.</summary>
    public async Task<byte[]> AssertSameAsync(params string[] args)
    {
        var (expected, actual) = await BothAsync(args).ConfigureAwait(false);
        return Compare(RespDisplay.Command(args), expected, actual);
    }

    /// <summary>Sends a command of raw argument bytes to both and fails unless the replies are the same bytes.</summary>
    public async Task<byte[]> AssertSameAsync(params byte[][] args)
    {
        var (expected, actual) = await BothAsync(args).ConfigureAwait(false);
        return Compare(RespDisplay.Command(args), expected, actual);
    }

    /// <summary>Sends raw bytes to both and fails unless the first replies are the same bytes.</summary>
    public async Task<byte[]> AssertSameRawAsync(byte[] request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (expected, actual) = await BothRawAsync(request).ConfigureAwait(false);
        return Compare("raw \"" + RespDisplay.Escape(request) + "\"", expected, actual);
    }

    /// <summary>Reads the next reply from both and fails unless they are the same bytes.</summary>
    public async Task<byte[]> AssertSameNextReplyAsync(string description)
    {
        var (expected, actual) = await BothNextReplyAsync().ConfigureAwait(false);
        return Compare(description, expected, actual);
    }

    /// <summary>Each command in turn, stopping at the first difference.</summary>
    public async Task AssertSameSequenceAsync(IEnumerable<string[]> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        foreach (var command in commands)
        {
            await AssertSameAsync(command).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Like <see cref="AssertSameAsync(string[])"/>, and also fails unless the reference replied
    /// <paramref name="expectedReply"/>: this pins what the test claims about Redis, so a test
    /// that does not exercise what its name says fails even redis-server against redis-server.
    /// </summary>
    public async Task AssertReplyAsync(string expectedReply, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(expectedReply);
        var reply = await AssertSameAsync(args).ConfigureAwait(false);
        AssertReferenceReplied(RespDisplay.Command(args), expectedReply, reply);
    }

    /// <summary>Like <see cref="AssertReplyAsync"/> for a raw request.</summary>
    public async Task AssertRawReplyAsync(string expectedReply, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(expectedReply);
        ArgumentNullException.ThrowIfNull(request);
        var reply = await AssertSameRawAsync(request).ConfigureAwait(false);
        AssertReferenceReplied("raw \"" + RespDisplay.Escape(request) + "\"", expectedReply, reply);
    }

    /// <summary>Fails unless both servers close their connection within <paramref name="within"/>.</summary>
    public async Task AssertBothClosedAsync(TimeSpan within)
    {
        var expected = Expected.IsClosedByServerAsync(within);
        var actual = Actual.IsClosedByServerAsync(within);
        var (expectedClosed, actualClosed) = (await expected.ConfigureAwait(false), await actual.ConfigureAwait(false));
        if (!expectedClosed || !actualClosed)
        {
            throw new DifferentialMismatchException(
                $"Expected both servers to close the connection within {within}.\n"
                + $"  redis-server: {(expectedClosed ? "closed" : "still open")}\n"
                + $"  under test:   {(actualClosed ? "closed" : "still open")}, pending \"{Actual.Pending()}\"\n"
                + History());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Expected.DisposeAsync().ConfigureAwait(false);
        await Actual.DisposeAsync().ConfigureAwait(false);
    }

    private byte[] Compare(string command, byte[] expected, byte[] actual)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            throw new DifferentialMismatchException(
                $"Replies differ for: {command}\n"
                + $"  redis-server: \"{RespDisplay.Escape(expected)}\"\n"
                + $"  under test:   \"{RespDisplay.Escape(actual)}\"\n"
                + History());
        }

        _history.Add($"{command} -> \"{RespDisplay.Escape(expected)}\"");
        return expected;
    }

    private void AssertReferenceReplied(string command, string expectedReply, byte[] reply)
    {
        if (!reply.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(expectedReply)))
        {
            throw new DifferentialMismatchException(
                $"Both servers agree on {command}, but not with the test:\n"
                + $"  test expects: \"{RespDisplay.Escape(Encoding.UTF8.GetBytes(expectedReply))}\"\n"
                + $"  both replied: \"{RespDisplay.Escape(reply)}\"\n"
                + History(skipLast: 1));
        }
    }

    private string History(int skipLast = 0)
    {
        var count = _history.Count - skipLast;
        if (count <= 0)
        {
            return "(first command of the run)";
        }

        var shown = _history.Take(count).Skip(Math.Max(0, count - ShownHistory));
        return "Earlier in this run (same reply from both):\n  " + string.Join("\n  ", shown);
    }
}

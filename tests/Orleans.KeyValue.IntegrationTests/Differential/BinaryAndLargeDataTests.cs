using System.Text;
using Orleans.KeyValue.IntegrationTests.Fixtures;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Differential;

/// <summary>Binary keys and values, large values, many keys and long pipelines, compared with redis-server.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class BinaryAndLargeDataTests(DifferentialServersFixture servers)
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task BinaryKeyAndValue_RoundTripExactly()
    {
        await using var run = await servers.OpenRunAsync();
        byte[] key = [.. Utf8(run.Key()), 0x00, 0xff, 0xfe, (byte)'\r', (byte)'\n', 0x80];
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        await run.AssertSameAsync(Utf8("SET"), key, value);
        await run.AssertSameAsync(Utf8("GET"), key);
        await run.AssertSameAsync(Utf8("EXISTS"), key, [.. Utf8(run.Key()), 0x00]);
        await run.AssertSameAsync(Utf8("DEL"), key);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task KeysDifferingOnlyInCase_AreDistinct()
    {
        await using var run = await servers.OpenRunAsync();
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("Abc"), "upper");
        await run.AssertReplyAsync(RedisReply.Ok, "SET", run.Key("abc"), "lower");
        await run.AssertReplyAsync(RedisReply.Bulk("upper"), "GET", run.Key("Abc"));
    }

    [Theory(Timeout = TestTimeouts.Differential)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public async Task LargeValue_RoundTripsExactly(int size)
    {
        await using var run = await servers.OpenRunAsync();
        var key = run.Key();
        var value = new byte[size];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)((i * 31) + (i >> 8));
        }

        await run.AssertReplyAsync(RedisReply.Ok, "SET", key, "placeholder");
        await run.AssertSameAsync(Utf8("SET"), Utf8(key), value);
        await run.AssertSameAsync(Utf8("GET"), Utf8(key));
        await run.AssertSameAsync(Utf8("GETDEL"), Utf8(key));
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task DelAndExists_WithHundredsOfKeys_CountExactly()
    {
        await using var run = await servers.OpenRunAsync();
        var keys = Enumerable.Range(0, 300).Select(i => run.Key($"k{i}")).ToArray();
        foreach (var key in keys.Where((_, i) => i % 3 == 0))
        {
            await run.AssertSameAsync("SET", key, "v");
        }

        await run.AssertReplyAsync(RedisReply.Integer(100), ["EXISTS", .. keys]);
        await run.AssertReplyAsync(RedisReply.Integer(100), ["DEL", .. keys]);
        await run.AssertReplyAsync(RedisReply.Integer(0), ["EXISTS", .. keys]);
    }

    [Fact(Timeout = TestTimeouts.Differential)]
    public async Task PipelineOf1000Commands_RepliesInOrder()
    {
        await using var run = await servers.OpenRunAsync();
        var request = new List<byte>();
        for (var i = 0; i < 500; i++)
        {
            var key = run.Key($"k{i % 50}");
            request.AddRange(RawRespConnection.EncodeCommand("SET", key, $"v{i}", "GET"));
            request.AddRange(RawRespConnection.EncodeCommand(i % 7 == 0 ? "DEL" : "GET", key));
        }

        await run.AssertSameRawAsync([.. request]);
        for (var i = 1; i < 1000; i++)
        {
            await run.AssertSameNextReplyAsync($"reply {i + 1} of 1000 pipelined");
        }
    }
}

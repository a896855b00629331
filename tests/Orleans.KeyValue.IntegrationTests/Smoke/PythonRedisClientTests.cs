using System.Globalization;
using Orleans.KeyValue.IntegrationTests.Fixtures;

namespace Orleans.KeyValue.IntegrationTests.Smoke;

/// <summary>redis-py (Debian's python3-redis) against the server under test.</summary>
[Collection(DifferentialCollection.Name)]
public sealed class PythonRedisClientTests(DifferentialServersFixture servers)
{
    // sys.argv[1] is the port, sys.argv[2] a key prefix unique to the test.
    private const string Prelude = """
        import sys, time, redis
        r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), socket_timeout=10)
        p = sys.argv[2]

        """;

    private Task RunAsync(string body) =>
        ExternalClients.RunPythonAsync(
            Prelude + body + "\nprint('PASS')\n",
            servers.UnderTest.Port.ToString(CultureInfo.InvariantCulture),
            $"py:{Guid.NewGuid():N}:");

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public Task Python_SetGetDelete_Work() => RunAsync("""
        assert r.ping() is True
        assert r.set(p + 'k', 'v') is True
        assert r.get(p + 'k') == b'v', r.get(p + 'k')
        assert r.set(p + 'k', 'w', nx=True) is None
        assert r.set(p + 'k', 'w', xx=True, get=True) == b'v'
        assert r.delete(p + 'k', p + 'missing') == 1
        assert r.get(p + 'k') is None
        assert r.exists(p + 'k') == 0
        """);

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public Task Python_KeyWithPx_ExpiresWithinDeadline() => RunAsync("""
        assert r.set(p + 'e', 'v', px=200) is True
        assert r.ttl(p + 'e') in (0, 1), r.ttl(p + 'e')
        deadline = time.monotonic() + 5
        while r.get(p + 'e') is not None:
            assert time.monotonic() < deadline, 'key set with px=200 still there after 5 s, pttl=%r' % r.pttl(p + 'e')
            time.sleep(0.02)
        assert r.ttl(p + 'e') == -2
        assert r.set(p + 'x', 'v', ex=100) is True
        assert r.ttl(p + 'x') == 100
        assert r.persist(p + 'x') is True
        assert r.ttl(p + 'x') == -1
        """);

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public Task Python_Lock_AcquiresExclusivelyAndReleases() => RunAsync("""
        lock = r.lock(p + 'res', timeout=5)
        assert lock.acquire(blocking=False) is True
        other = r.lock(p + 'res', timeout=5)
        assert other.acquire(blocking=False) is False
        assert lock.owned()
        lock.release()
        assert r.get(p + 'res') is None
        assert other.acquire(blocking=False) is True
        other.release()
        """);

    [Fact(Timeout = TestTimeouts.ExternalClient)]
    public Task Python_PipelineOf1000Sets_ThenGets_RoundTrip() => RunAsync("""
        pipe = r.pipeline(transaction=False)
        for i in range(1000):
            pipe.set('%sk%d' % (p, i), i)
        assert pipe.execute() == [True] * 1000
        pipe = r.pipeline(transaction=False)
        for i in range(1000):
            pipe.get('%sk%d' % (p, i))
        got = pipe.execute()
        assert got == [str(i).encode() for i in range(1000)], got[:10]
        """);
}

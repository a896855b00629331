using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;

namespace Orleans.KeyValue.Grains.Tests.Keys;

/// <summary>
/// A key's operations on a manual clock, with the timing wheel turning as the clock moves. Each
/// call runs <see cref="KeyOperations"/> as the key grain's turn does (the grain adds only
/// Orleans's one-turn-at-a-time, which the silo tests cover).
/// </summary>
public sealed class KeyGrainHarness : IDisposable
{
    private readonly TimingWheelService _wheelService;

    private readonly KeyGrainServices _services;

    public KeyGrainHarness()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Storage = new RecordStore<KeyRecord>();
        Wheel = new TimingWheel(NowMs, 10, 256);
        Statistics = new KeyspaceStatistics();
        _services = new KeyGrainServices(Storage, Wheel, Time, Statistics);
        _wheelService = new TimingWheelService(Wheel, Time, new KeyExpiryHandler(_services), Options.Create(new TimingWheelOptions { Tick = TimeSpan.FromMilliseconds(10) }), NullLogger<TimingWheelService>.Instance);
        _wheelService.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public FakeTimeProvider Time { get; }

    public RecordStore<KeyRecord> Storage { get; }

    public TimingWheel Wheel { get; }

    public KeyspaceStatistics Statistics { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public KvReply Call<TCall>(string key, TCall call)
        where TCall : IKeyCall => call.Invoke(new KeyOperations(Bytes(key), _services));

    public KvReply Set(string key, string value, SetCondition condition = SetCondition.Always, ExpiryMode expiry = ExpiryMode.Clear, long deadline = 0, bool get = false) =>
        Call(key, new SetCall(new SetRequest(Bytes(value), condition, expiry, deadline, get)));

    public KvReply Get(string key) => Call(key, default(GetCall));

    /// <summary>The key's operations as one turn uses them (to stage writes, as a replicated turn does).</summary>
    public KeyOperations Operations(string key) => new(Bytes(key), _services);

    public KvReply SetIf(string key, string value, ValueCondition compare, string match, SetCondition condition = SetCondition.Always, bool get = false, ExpiryMode expiry = ExpiryMode.Clear, long deadline = 0) =>
        Call(key, new SetCall(new SetRequest(Bytes(value), condition, expiry, deadline, get, compare, Bytes(match))));

    public KvReply DeleteIf(string key, ValueCondition condition = ValueCondition.None, string? match = null, string? error = null) =>
        Call(key, new DeleteIfCall(new DeleteIfRequest(condition, match is null ? null : Bytes(match), error)));

    public KvReply Digest(string key) => Call(key, default(DigestCall));

    /// <summary>Stores a key of a type other than string (only strings exist today; the tag is what other types will carry).</summary>
    public void PlantOtherType(string key) => Storage.Write(Bytes(key), new KeyRecord(Bytes("x"), (ValueKind)2, KeyRecord.NoDeadline));

    public long Ttl(string key, bool ms = true) => Call(key, new TimeToLiveCall(ms, absolute: false)).Integer;

    public void Advance(long milliseconds) => Time.Advance(TimeSpan.FromMilliseconds(milliseconds));

    public void Dispose() => _wheelService.Dispose();
}

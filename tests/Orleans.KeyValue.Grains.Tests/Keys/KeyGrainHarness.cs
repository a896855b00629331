using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Grains.Calls;
using Orleans.KeyValue.Grains.Keys;
using Orleans.KeyValue.Runtime.Activations;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.KeyValue.Runtime.Timers;
using Orleans.KeyValue.Testing.Time;

namespace Orleans.KeyValue.Grains.Tests.Keys;

/// <summary>Key grains on a manual clock, with the timing wheel turning as the clock moves.</summary>
public sealed class KeyGrainHarness : IDisposable
{
    private readonly TimingWheelService _wheelService;

    /// <param name="keepIdleActivations">Keep idle key grains active until collection (the
    /// <c>KeepIdleKeyGrains</c> option); by default, as in the silo, they end when idle.</param>
    public KeyGrainHarness(bool keepIdleActivations = false)
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Storage = new MemoryGrainStorage<KeyRecord>();
        Wheel = new TimingWheel(NowMs, 10, 256);
        Statistics = new KeyspaceStatistics();
        var services = new KeyGrainServices(Storage, Wheel, Time, Statistics);
        Runtime = new GrainRuntime<KeyGrain>(new KeyGrainActivator(services), Storage.FindKey, endWhenIdle: !keepIdleActivations);
        _wheelService = new TimingWheelService(Wheel, Time, new KeyExpiryHandler(Runtime, NullLogger<KeyExpiryHandler>.Instance), Options.Create(new TimingWheelOptions { Tick = TimeSpan.FromMilliseconds(10) }), NullLogger<TimingWheelService>.Instance);
        _wheelService.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public ManualTimeProvider Time { get; }

    public MemoryGrainStorage<KeyRecord> Storage { get; }

    public TimingWheel Wheel { get; }

    public KeyspaceStatistics Statistics { get; }

    public GrainRuntime<KeyGrain> Runtime { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public KvReply Call<TCall>(string key, TCall call)
        where TCall : IGrainCall<KeyGrain, KvReply>
    {
        var pending = Runtime.InvokeAsync<TCall, KvReply>(Bytes(key), call);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new Xunit.Sdk.XunitException("a key grain call on a free grain completes at once");
        }

        return pending.Result;
    }

    public KvReply Set(string key, string value, SetCondition condition = SetCondition.Always, ExpiryMode expiry = ExpiryMode.Clear, long deadline = 0, bool get = false) =>
        Call(key, new SetCall(new SetRequest(Bytes(value), condition, expiry, deadline, get)));

    public KvReply Get(string key) => Call(key, default(GetCall));

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

using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.Messaging;

namespace Orleans.KeyValue.Client.Orleans;

/// <summary>
/// Typed commands over the key grains (<see cref="IKeyGrain"/>) of an Orleans client or silo.
/// Every method is one call to one key's grain, the same grain the RESP gateway calls, so the
/// semantics are Redis's as the store serves them over RESP: conditions are checked and the
/// write is made in one turn of the key, deadlines are exact to the millisecond, error replies
/// carry Redis's text (as <see cref="KeyValueReplyException"/>). String keys and values are UTF-8;
/// the <see cref="ReadOnlyMemory{T}"/> overloads take any bytes.
/// </summary>
/// <remarks>
/// Thread-safe; share one. Cancelling a call stops the wait for its reply, not the call: a
/// cancelled write may still be applied. Values returned are copies the caller owns.
/// </remarks>
public sealed class KeyValueGrainClient : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly IHost? _host;

    /// <summary>Commands over <paramref name="grains"/>: an <see cref="IClusterClient"/>, or a silo's <see cref="IGrainFactory"/>.</summary>
    /// <param name="grains">Where the key grains are reached.</param>
    /// <param name="timeProvider">The clock that turns a time to live into a deadline; the system clock when null.</param>
    public KeyValueGrainClient(IGrainFactory grains, TimeProvider? timeProvider = null)
        : this(grains, timeProvider, host: null)
    {
    }

    private KeyValueGrainClient(IGrainFactory grains, TimeProvider? timeProvider, IHost? host)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        _time = timeProvider ?? TimeProvider.System;
        _host = host;
    }

    /// <summary>
    /// Starts an Orleans client of its own, connected to the silos <paramref name="options"/> name,
    /// for a tool or a test; disposing the result stops it. A service adds the client to its host
    /// with <see cref="KeyValueOrleansClientServiceCollectionExtensions.AddKeyValueOrleansClient(IServiceCollection, Action{KeyValueOrleansClientOptions})"/> instead.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are not valid.</exception>
    /// <exception cref="TimeoutException">No gateway answered within <see cref="KeyValueOrleansClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="ConnectionFailedException">No gateway could be reached.</exception>
    public static async Task<KeyValueGrainClient> ConnectAsync(KeyValueOrleansClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddKeyValueOrleansClient(options);
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new TimeoutException($"No gateway of cluster '{options.ClusterId}' answered within {options.ConnectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", exception);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        var services = host.Services;
        return new KeyValueGrainClient(services.GetRequiredService<IClusterClient>(), services.GetService<TimeProvider>(), host);
    }

    /// <summary>The grain of a UTF-8 key.</summary>
    public IKeyGrain GetKeyGrain(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _grains.GetKeyGrain(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The grain of a key of any bytes.</summary>
    public IKeyGrain GetKeyGrain(ReadOnlySpan<byte> key) => _grains.GetKeyGrain(key);

    /// <summary>GET: the value, or null when the key does not exist.</summary>
    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        GetAsync(GetKeyGrain(key), cancellationToken);

    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        GetAsync(GetKeyGrain(key.Span), cancellationToken);

    /// <summary>GET as a UTF-8 string.</summary>
    public async Task<string?> GetStringAsync(string key, CancellationToken cancellationToken = default) =>
        await GetAsync(key, cancellationToken).ConfigureAwait(false) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// SET: writes <paramref name="value"/> under <paramref name="key"/> when
    /// <paramref name="condition"/> allows (<c>NX</c>, <c>XX</c>), with <paramref name="expiry"/>.
    /// True when written, false when the condition refused it.
    /// </summary>
    public Task<bool> SetAsync(string key, ReadOnlyMemory<byte> value, KeyExpiry expiry = default, SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default) =>
        SetAsync(GetKeyGrain(key), value, expiry, condition, cancellationToken);

    /// <summary>SET of a UTF-8 string.</summary>
    public Task<bool> SetAsync(string key, string value, KeyExpiry expiry = default, SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetAsync(GetKeyGrain(key), Encoding.UTF8.GetBytes(value), expiry, condition, cancellationToken);
    }

    /// <inheritdoc cref="SetAsync(string, ReadOnlyMemory{byte}, KeyExpiry, SetCondition, CancellationToken)"/>
    public Task<bool> SetAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, KeyExpiry expiry = default, SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default) =>
        SetAsync(GetKeyGrain(key.Span), value, expiry, condition, cancellationToken);

    /// <summary>
    /// SET ... GET: writes as <see cref="SetAsync(string, ReadOnlyMemory{byte}, KeyExpiry, SetCondition, CancellationToken)"/>
    /// and returns the value the key had (null when it had none), whether or not the condition let the write happen.
    /// </summary>
    public Task<byte[]?> SetAndGetAsync(string key, ReadOnlyMemory<byte> value, KeyExpiry expiry = default, SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default) =>
        SetAndGetAsync(GetKeyGrain(key), value, expiry, condition, cancellationToken);

    /// <inheritdoc cref="SetAndGetAsync(string, ReadOnlyMemory{byte}, KeyExpiry, SetCondition, CancellationToken)"/>
    public Task<byte[]?> SetAndGetAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, KeyExpiry expiry = default, SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default) =>
        SetAndGetAsync(GetKeyGrain(key.Span), value, expiry, condition, cancellationToken);

    /// <summary>GETDEL: the value, removed; null when there was none.</summary>
    public async Task<byte[]?> GetDeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var grain = Grain(key, cancellationToken);
        return BulkOrNil(await CallAsync(grain.GetDeleteAsync(), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>DEL of one key: true when it existed.</summary>
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        DeleteAsync(GetKeyGrain(key), cancellationToken);

    /// <inheritdoc cref="DeleteAsync(string, CancellationToken)"/>
    public Task<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        DeleteAsync(GetKeyGrain(key.Span), cancellationToken);

    /// <summary>
    /// DEL: how many of <paramref name="keys"/> existed and were removed (a key named twice counts
    /// once, as in Redis). Each key is its own grain: one call per key, in order, as the RESP
    /// gateway runs a DEL of several keys; not one atomic step.
    /// </summary>
    public async Task<long> DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        long deleted = 0;
        foreach (var key in keys)
        {
            if (await DeleteAsync(GetKeyGrain(key), cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>EXISTS of one key.</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var grain = Grain(key, cancellationToken);
        return Integer(await CallAsync(grain.ExistsAsync(), cancellationToken).ConfigureAwait(false)) == 1;
    }

    /// <summary>PEXPIRE: true when the key exists and now expires <paramref name="ttl"/> from now.</summary>
    public Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        ExpireAtAsync(key, KeyExpiry.In(ttl), cancellationToken);

    /// <summary>PEXPIREAT: true when the key exists and the deadline was set (a past deadline deletes the key).</summary>
    public Task<bool> ExpireAtAsync(string key, DateTimeOffset deadline, CancellationToken cancellationToken = default) =>
        ExpireAtAsync(key, KeyExpiry.AtTime(deadline), cancellationToken);

    /// <summary>PERSIST: true when a deadline was removed.</summary>
    public async Task<bool> PersistAsync(string key, CancellationToken cancellationToken = default)
    {
        var grain = Grain(key, cancellationToken);
        return Integer(await CallAsync(grain.PersistAsync(), cancellationToken).ConfigureAwait(false)) == 1;
    }

    /// <summary>PTTL: the time left; null when the key does not exist or has no deadline.</summary>
    public async Task<TimeSpan?> GetTimeToLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        var grain = Grain(key, cancellationToken);
        var ms = Integer(await CallAsync(grain.TimeToLiveAsync(milliseconds: true, absolute: false), cancellationToken).ConfigureAwait(false));
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>TTL as Redis answers it: the whole seconds left (rounded), -1 when the key has no deadline, -2 when it does not exist.</summary>
    public async Task<long> TimeToLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        var grain = Grain(key, cancellationToken);
        return Integer(await CallAsync(grain.TimeToLiveAsync(milliseconds: false, absolute: false), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops the Orleans client <see cref="ConnectAsync"/> started; nothing for a client made over a given grain factory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is null)
        {
            return;
        }

        await _host.StopAsync().ConfigureAwait(false);
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }

    private static async Task<byte[]?> GetAsync(IKeyGrain grain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return BulkOrNil(await CallAsync(grain.GetAsync(), cancellationToken).ConfigureAwait(false));
    }

    private async Task<bool> SetAsync(IKeyGrain grain, ReadOnlyMemory<byte> value, KeyExpiry expiry, SetCondition condition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = await CallAsync(grain.SetAsync(SetRequest(value, expiry, condition, returnOld: false)), cancellationToken).ConfigureAwait(false);
        ThrowIfError(reply);
        return reply.Kind == KvReplyKind.Ok;
    }

    private async Task<byte[]?> SetAndGetAsync(IKeyGrain grain, ReadOnlyMemory<byte> value, KeyExpiry expiry, SetCondition condition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return BulkOrNil(await CallAsync(grain.SetAsync(SetRequest(value, expiry, condition, returnOld: true)), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> DeleteAsync(IKeyGrain grain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Integer(await CallAsync(grain.DeleteAsync(), cancellationToken).ConfigureAwait(false)) == 1;
    }

    private async Task<bool> ExpireAtAsync(string key, KeyExpiry expiry, CancellationToken cancellationToken)
    {
        var grain = Grain(key, cancellationToken);
        var (_, deadlineMs) = expiry.ToRequest(NowMs);
        return Integer(await CallAsync(grain.ExpireAtAsync(deadlineMs, ExpireCondition.Always), cancellationToken).ConfigureAwait(false)) == 1;
    }

    // The request owns its value (SetRequest's contract), so the caller's memory is copied once here.
    private SetRequest SetRequest(ReadOnlyMemory<byte> value, KeyExpiry expiry, SetCondition condition, bool returnOld)
    {
        var (mode, deadlineMs) = expiry.ToRequest(NowMs);
        return new SetRequest(value.ToArray(), condition, mode, deadlineMs, returnOld);
    }

    // Checked before the call is made: a request cancelled already is never sent.
    private IKeyGrain Grain(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return GetKeyGrain(key);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task<KvReply> CallAsync(ValueTask<KvReply> call, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? await call.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)
            : await call.ConfigureAwait(false);

    // A copy: inside a silo the reply can share the stored value's array (KvReply is immutable
    // and not deep-copied on a local call), which the caller must never be able to change.
    private static byte[]? BulkOrNil(KvReply reply)
    {
        ThrowIfError(reply);
        return reply.Kind is KvReplyKind.Nil ? null : reply.Bytes.ToArray();
    }

    private static long Integer(KvReply reply)
    {
        ThrowIfError(reply);
        return reply.Integer;
    }

    private static void ThrowIfError(KvReply reply)
    {
        if (reply.IsError)
        {
            throw new KeyValueReplyException(reply.Text ?? "ERR");
        }
    }
}

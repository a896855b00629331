using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.KeyValue.Gateway;
using Orleans.KeyValue.Resp;
using Orleans.KeyValue.Runtime.Cluster;
using Orleans.KeyValue.Runtime.Storage;
using Orleans.TestingHost;

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>
/// Silos of the store in this process, on Orleans's <see cref="InProcessTestCluster"/>: each one
/// composed as the silo host composes it (<c>AddKeyValueStore</c>), with no RESP or HTTP
/// listener, and one <see cref="FakeTimeProvider"/> for all of them as the store's clock
/// (Orleans's own background work keeps real time, so membership and messaging run normally).
/// </summary>
public sealed class InProcessStoreCluster : IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private InProcessStoreCluster(InProcessTestCluster cluster, FakeTimeProvider time)
    {
        Cluster = cluster;
        Time = time;
    }

    /// <summary>The Orleans test cluster.</summary>
    public InProcessTestCluster Cluster { get; }

    /// <summary>The store's clock on every silo: tests advance it.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The cluster's Orleans client.</summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>Starts <paramref name="silos"/> silos and waits until they all serve the same slot view.</summary>
    public static async Task<InProcessStoreCluster> StartAsync(short silos)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(time);

            // A clean leave hands every slot over before the silo stops: on a loaded machine
            // that may outlast the host's default 30 s, which would cut it short.
            silo.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(2));
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.AddKeyValueStore();
            if (Environment.GetEnvironmentVariable("KV_TEST_LOG") == "1")
            {
                // The store's own log (hand-overs, views) on the console, to follow a failure.
                silo.Services.AddLogging(b => b
                    .AddSimpleConsole(o => o.SingleLine = true)
                    .AddFilter("Orleans.KeyValue", LogLevel.Debug));
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var store = new InProcessStoreCluster(cluster, time);
        await store.WaitForViewAsync();
        return store;
    }

    /// <summary>A key of its own for one test.</summary>
    public static byte[] Key(string name) => System.Text.Encoding.UTF8.GetBytes($"inproc:{Guid.NewGuid():N}:{name}");

    /// <summary>SET with an absolute deadline in milliseconds (PXAT).</summary>
    public static SetRequest SetAt(string value, long deadlineMs, SetCondition condition = SetCondition.Always) =>
        new(System.Text.Encoding.UTF8.GetBytes(value), condition, ExpiryMode.At, deadlineMs, ReturnOld: false);

    /// <summary>The services of a silo.</summary>
    public static IServiceProvider Services(InProcessSiloHandle silo) => silo.ServiceProvider;

    /// <summary>A silo's view of the cluster.</summary>
    public static ClusterViewService View(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<ClusterViewService>();

    /// <summary>The slots a silo serves.</summary>
    public static SlotTable Slots(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<SlotTable>();

    /// <summary>A silo's record store.</summary>
    public static IRecordStore<KeyRecord> Records(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<IRecordStore<KeyRecord>>();

    /// <summary>The running silo that owns <paramref name="slot"/> in the views of all running silos.</summary>
    public InProcessSiloHandle OwnerOf(int slot)
    {
        var owner = View(Cluster.Silos[0]).View.OwnerOf(slot);
        return Cluster.Silos.Single(s => s.SiloAddress.Equals(owner));
    }

    /// <summary>
    /// Polls until every running silo serves, every one's view has exactly the running silos as
    /// its Active members, and every slot is served by exactly one silo (its keys arrived), with
    /// a deadline; the failure shows what each silo saw.
    /// </summary>
    public async Task WaitForViewAsync()
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            var running = Cluster.Silos.Select(s => s.SiloAddress).OrderBy(a => a.ToString()).ToList();
            var views = Cluster.Silos.Select(s => View(s)).ToList();
            var served = Cluster.Silos.Sum(s => Slots(s).ServedCount);
            if (views.All(v => v.IsServing && v.View.ActiveSilos.OrderBy(a => a.ToString()).SequenceEqual(running)) && served == KeySlot.Count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join("; ", Cluster.Silos.Select(s => $"{View(s).Me}: serving={View(s).IsServing} active=[{string.Join(", ", View(s).View.ActiveSilos)}] served={Slots(s).ServedCount} waiting={Slots(s).WaitingCount}"));
                throw new TimeoutException($"The silos did not settle on [{string.Join(", ", running)}]: {seen}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

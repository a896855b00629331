using System.Runtime.CompilerServices;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Fixtures;

/// <summary>
/// A reference redis-server and the server under test (see <see cref="ServerUnderTest"/>),
/// started with the same extra arguments and shared by the tests of a collection.
/// </summary>
public abstract class ServerPairFixture : IAsyncLifetime
{
    private RedisServerProcess? _reference;
    private IRespServer? _underTest;

    /// <summary>The reference redis-server.</summary>
    public RedisServerProcess Reference => _reference ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>The server under test: our silo, or a second redis-server when checking the tests.</summary>
    public IRespServer UnderTest => _underTest ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>Arguments both servers start with, after port and bind address.</summary>
    protected virtual IReadOnlyList<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        _reference = await RedisServerProcess.StartAsync(ExtraArguments);
        try
        {
            _underTest = await ServerUnderTest.StartAsync(ExtraArguments);
        }
        catch
        {
            // Stop the reference now: a fixture that failed to start may not be disposed.
            await _reference.DisposeAsync();
            _reference = null;
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_underTest is not null)
        {
            await _underTest.DisposeAsync();
        }

        if (_reference is not null)
        {
            await _reference.DisposeAsync();
        }
    }

    /// <summary>Fresh connections to both servers, with keys unique to <paramref name="testName"/>.</summary>
    public Task<DifferentialRun> OpenRunAsync([CallerMemberName] string testName = "") =>
        DifferentialRun.OpenAsync(Reference.Port, UnderTest.Port, testName);
}

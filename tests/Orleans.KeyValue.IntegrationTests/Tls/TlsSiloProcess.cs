using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Tls;

/// <summary>
/// A silo as its own process (<c>dotnet Orleans.KeyValue.Silo.dll</c>) with TLS flags, on
/// 127.0.0.1; ready once its TLS port answers PING. Killed (by its handle) on dispose.
/// </summary>
public sealed class TlsSiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TlsSiloProcess(Process process, int tlsPort)
    {
        _process = process;
        TlsPort = tlsPort;
    }

    public int TlsPort { get; }

    /// <summary>What the silo printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a silo with <paramref name="arguments"/> (give every port) and waits until its TLS
    /// port <paramref name="tlsPort"/> answers PING with the client certificate of <paramref name="certificates"/>.
    /// </summary>
    public static async Task<TlsSiloProcess> StartAsync(TestCertificates certificates, int tlsPort, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var silo = new TlsSiloProcess(Launch(arguments), tlsPort);
        silo._process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        var last = "none yet";
        while (clock.Elapsed < StartTimeout)
        {
            if (silo._process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {silo._process.ExitCode}:\n{silo.Output}");
            }

            try
            {
                if (await PingAsync(tlsPort, certificates, certificates.Client) == "+PONG\r\n")
                {
                    return silo;
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or TimeoutException or OperationCanceledException)
            {
                last = exception.Message;
            }

            await Task.Delay(PollInterval);
        }

        await silo.DisposeAsync();
        throw new TimeoutException($"The silo's TLS port {tlsPort} did not answer PING within {StartTimeout}; last error: {last}\n{silo.Output}");
    }

    /// <summary>Runs the silo with <paramref name="arguments"/> to its end (for flags it must refuse).</summary>
    public static async Task<ProcessResult> RunToExitAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.KeyValue.Silo.dll");
        return await ProcessRunner.RunAsync("dotnet", [dll, .. arguments], timeout);
    }

    /// <summary>Sends PING over TLS to 127.0.0.1:<paramref name="port"/>, trusting the test CA, showing <paramref name="clientCertificate"/>; returns the raw reply.</summary>
    public static async Task<string> PingAsync(int port, TestCertificates certificates, X509Certificate2? clientCertificate)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificates.IsSignedByAuthority(certificate as X509Certificate2),
            },
            timeout.Token);
        await ssl.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[64];
        var read = await ssl.ReadAsync(buffer, timeout.Token);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (InvalidOperationException)
        {
            // Already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The standard flags of a test silo: its plain RESP port (0 for none) and dashboard port (0 for none), a free silo port, no Orleans gateway.</summary>
    public static List<string> PortArguments(int plainPort, int dashboardPort = 0) =>
    [
        "--port", plainPort.ToString(CultureInfo.InvariantCulture),
        "--bind", "127.0.0.1",
        "--dashboard-port", dashboardPort.ToString(CultureInfo.InvariantCulture),
        "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        "--orleans-gateway-port", "0",
    ];

    private static Process Launch(IEnumerable<string> arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.KeyValue.Silo.dll");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("could not start a silo process");
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

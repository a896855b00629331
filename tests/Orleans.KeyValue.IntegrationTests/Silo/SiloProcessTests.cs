using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.KeyValue.Testing;

namespace Orleans.KeyValue.IntegrationTests.Silo;

/// <summary>The silo program as operators run it: a separate process, flags, SIGTERM.</summary>
public sealed class SiloProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 90_000)]
    public async Task Sigterm_AnswersTheCommandsInFlight_ClosesClients_AndExitsZero()
    {
        var port = FreePort.Next();
        var dashboard = FreePort.Next();
        using var silo = StartSilo("--port", port.ToString(CultureInfo.InvariantCulture), "--dashboard-port", dashboard.ToString(CultureInfo.InvariantCulture));
        var output = new StringBuilder();
        silo.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        silo.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        try
        {
            await using var client = await ConnectWhenUpAsync(port, silo, output);
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await client.CommandAsync("SET", "k", "v")));

            using (var http = new HttpClient { Timeout = Deadline })
            {
                var health = await http.GetStringAsync(new Uri($"http://127.0.0.1:{dashboard}/healthz"));
                Assert.Contains("\"status\":\"ok\"", health, StringComparison.Ordinal);
            }

            // A pipeline in flight when the signal comes: whatever replies arrive are whole and
            // in order, then the connection closes and the process exits with 0.
            using var pipeline = new MemoryStream();
            for (var i = 0; i < 200; i++)
            {
                pipeline.Write(RawRespConnection.EncodeCommand("GET", "k"));
            }

            await client.WriteRawAsync(pipeline.ToArray());
            Assert.Equal("$1\r\nv\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
            Signal(silo.Id, "TERM");

            using var exit = new CancellationTokenSource(Deadline);
            await silo.WaitForExitAsync(exit.Token);
            Assert.True(silo.ExitCode == 0, $"exit code {silo.ExitCode}\n{Snapshot(output)}");
            for (var i = 1; i < 200; i++)
            {
                byte[] reply;
                try
                {
                    reply = await client.ReadReplyAsync();
                }
                catch (IOException)
                {
                    break;
                }

                Assert.Equal("$1\r\nv\r\n", Encoding.UTF8.GetString(reply));
            }

            Assert.Contains("shutting down", Snapshot(output), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (!silo.HasExited)
            {
                silo.Kill();
            }
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task EnvironmentVariables_ConfigureTheSilo_LikeFlags()
    {
        var port = FreePort.Next();
        using var silo = StartSilo(
            environment: new Dictionary<string, string>
            {
                ["KV_Gateway__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["KV_Gateway__RequirePass"] = "pw",
                ["KV_Silo__DashboardPort"] = "0",
            });
        var output = new StringBuilder();
        silo.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        silo.BeginOutputReadLine();
        try
        {
            await using var client = await ConnectWhenUpAsync(port, silo, output);
            Assert.Equal("-NOAUTH Authentication required.\r\n", Encoding.UTF8.GetString(await client.CommandAsync("GET", "k")));
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await client.CommandAsync("AUTH", "pw")));
            Assert.Equal("$-1\r\n", Encoding.UTF8.GetString(await client.CommandAsync("GET", "k")));
        }
        finally
        {
            silo.Kill();
            await silo.WaitForExitAsync();
        }
    }

    private static Process StartSilo(params string[] arguments) => StartSilo(new Dictionary<string, string> { ["KV_Silo__DashboardPort"] = "0" }, arguments);

    private static Process StartSilo(Dictionary<string, string> environment, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.KeyValue.Silo.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the integration tests reference the silo project");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        startInfo.ArgumentList.Add("--bind");
        startInfo.ArgumentList.Add("127.0.0.1");
        startInfo.ArgumentList.Add("--silo-port");
        startInfo.ArgumentList.Add(FreePort.Next().ToString(CultureInfo.InvariantCulture));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the silo");
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<RawRespConnection> ConnectWhenUpAsync(int port, Process silo, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // The messages read the output only on failure, under the lock its readers append with.
            if (silo.HasExited)
            {
                Assert.Fail($"the silo exited with {silo.ExitCode}:\n{Snapshot(output)}");
            }

            if (clock.Elapsed >= Deadline)
            {
                Assert.Fail($"the silo did not answer within {Deadline}:\n{Snapshot(output)}");
            }
            try
            {
                var connection = await RawRespConnection.ConnectAsync(port);
                return connection;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}

using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Client;
using Orleans.KeyValue.Client.Orleans;

namespace Orleans.KeyValue.Cli;

/// <summary>
/// <c>kv</c>: one-shot commands (<c>kv set k v --px 500 --nx</c>, <c>kv get k</c>, <c>kv del k</c>,
/// <c>kv ttl k</c>, <c>kv lock acquire|release</c>, <c>kv cluster</c>, <c>kv bench</c>) and, with no
/// command, an interactive mode with history. Exit codes in <see cref="ExitCodes"/>. With
/// <c>--orleans</c>, set/get/del/ttl go through the Orleans client to the same key grains instead
/// of RESP, and print the same.
/// </summary>
internal static class KvCommandLine
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var host = new Option<string>("--host") { Description = "Gateway host", DefaultValueFactory = _ => "127.0.0.1", Recursive = true };
        var port = new Option<int>("--port", "-p") { Description = "Gateway port", DefaultValueFactory = _ => 6379, Recursive = true };
        var endpoints = new Option<string?>("--endpoints") { Description = "Several gateways, host:port,host:port (fail over in turn); overrides --host/--port", Recursive = true };
        var password = new Option<string?>("--password", "-a") { Description = "Password (requirepass)", Recursive = true };
        var timeout = new Option<int>("--timeout-ms") { Description = "Per-command timeout", DefaultValueFactory = _ => 5000, Recursive = true };
        var noRouting = new Option<bool>("--no-cluster-routing") { Description = "Send every command to the gateway instead of the key's owner", Recursive = true };
        var orleans = new Option<bool>("--orleans") { Description = "Reach the key grains through an Orleans client (the silos' Orleans gateways) instead of RESP; for set, get, del and ttl", Recursive = true };
        var gateways = new Option<string?>("--gateways") { Description = $"With --orleans: the silos' Orleans gateways, host:port,... (default {KeyValueOrleansClientOptions.DefaultGateway})", Recursive = true };
        var connectionString = new Option<string?>("--connection-string") { Description = "With --orleans: find the gateways in the silos' PostgreSQL membership table instead", Recursive = true };
        var tls = new Option<bool>("--tls") { Description = "Speak TLS (a silo's --tls-port; with --orleans, silos with --tls-cluster yes)", Recursive = true };
        var caCert = new Option<string?>("--cacert") { Description = "With --tls: the CA (PEM) the server's certificate must chain to (default: the system's roots; required with --orleans)", Recursive = true };
        var cert = new Option<string?>("--cert") { Description = "With --tls: a client certificate (PEM), for servers that require one", Recursive = true };
        var certKey = new Option<string?>("--key") { Description = "With --tls: the client certificate's private key (PEM)", Recursive = true };
        var clusterId = new Option<string>("--cluster-id") { Description = "With --orleans: the silos' cluster id", DefaultValueFactory = _ => KeyValueOrleansClientOptions.DefaultClusterId, Recursive = true };

        KeyValueClientOptions Options(ParseResult result)
        {
            var options = new KeyValueClientOptions
            {
                Password = result.GetValue(password),
                CommandTimeout = TimeSpan.FromMilliseconds(result.GetValue(timeout)),
                ClientName = "kv",
                ClusterRouting = !result.GetValue(noRouting),
                UseTls = result.GetValue(tls),
            };
            if (options.UseTls)
            {
                var (authorities, clientCertificate) = TlsFiles(result);
                options.TlsCertificateAuthorities.AddRange(authorities);
                options.TlsClientCertificate = clientCertificate;
            }

            var list = result.GetValue(endpoints);
            foreach (var endpoint in list is { Length: > 0 } ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [$"{result.GetValue(host)}:{result.GetValue(port).ToString(CultureInfo.InvariantCulture)}"])
            {
                options.Endpoints.Add(endpoint);
            }

            return options;
        }

        // redis-cli's --cacert, --cert and --key; a file that cannot be read is the user's mistake.
        (X509Certificate2Collection Authorities, X509Certificate2? Client) TlsFiles(ParseResult result)
        {
            var authorities = new X509Certificate2Collection();
            var caFile = result.GetValue(caCert);
            var certFile = result.GetValue(cert);
            try
            {
                if (caFile is not null)
                {
                    authorities.ImportFromPemFile(caFile);
                }

                var client = certFile is null ? null : X509Certificate2.CreateFromPemFile(certFile, result.GetValue(certKey) ?? certFile);
                return (authorities, client);
            }
            catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new TlsFileException($"cannot read the TLS files (--cacert {caFile}, --cert {certFile}): {exception.Message}", exception);
            }
        }

        async Task<int> WithClientAsync(ParseResult result, Func<KeyValueClient, Task<int>> work)
        {
            if (result.GetValue(orleans))
            {
                await error.WriteLineAsync($"kv: '{result.CommandResult.Command.Name}' needs RESP; with --orleans only set, get, del and ttl");
                return ExitCodes.Usage;
            }

            try
            {
                await using var client = await KeyValueClient.ConnectAsync(Options(result));
                return await work(client);
            }
            catch (TlsFileException exception)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.Usage;
            }
            catch (KeyValueConnectionException exception)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.ConnectionError;
            }
            catch (KeyValueException exception)
            {
                await error.WriteLineAsync("(error) " + exception.Message);
                return ExitCodes.ServerError;
            }
            catch (TimeoutException exception)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.ConnectionError;
            }
        }

        KeyValueOrleansClientOptions OrleansOptions(ParseResult result)
        {
            var options = new KeyValueOrleansClientOptions
            {
                PostgresConnectionString = result.GetValue(connectionString),
                ClusterId = result.GetValue(clusterId)!,
                ResponseTimeout = TimeSpan.FromMilliseconds(result.GetValue(timeout)),
                ConnectTimeout = TimeSpan.FromMilliseconds(result.GetValue(timeout)),
            };
            options.Gateways.AddRange(result.GetValue(gateways)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
            if (result.GetValue(tls))
            {
                options.UseTls = true;
                var (authorities, clientCertificate) = TlsFiles(result);
                options.TlsCertificateAuthorities.AddRange(authorities);
                options.TlsClientCertificate = clientCertificate;
            }

            return options;
        }

        // set, get, del and ttl: over RESP, or through the Orleans client with --orleans.
        async Task<int> WithStoreAsync(ParseResult result, Func<IKvStore, Task<int>> work)
        {
            if (!result.GetValue(orleans))
            {
                if (result.GetResult(gateways) is not null || result.GetResult(connectionString) is not null)
                {
                    await error.WriteLineAsync("kv: --gateways and --connection-string need --orleans");
                    return ExitCodes.Usage;
                }

                return await WithClientAsync(result, client => work(new RespStore(client)));
            }

            try
            {
                await using var client = await KeyValueGrainClient.ConnectAsync(OrleansOptions(result));
                return await work(new OrleansStore(client));
            }
            catch (TlsFileException exception)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.Usage;
            }
            catch (OptionsValidationException exception)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.Usage;
            }
            catch (KeyValueReplyException exception)
            {
                await error.WriteLineAsync("(error) " + exception.Message);
                return ExitCodes.ServerError;
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException or SocketException)
            {
                await error.WriteLineAsync("kv: " + exception.Message);
                return ExitCodes.ConnectionError;
            }
        }

        var key = new Argument<string>("key") { Description = "The key" };
        var value = new Argument<string>("value") { Description = "The value" };

        // kv set
        var px = new Option<long?>("--px") { Description = "Expire after this many milliseconds" };
        var ex = new Option<long?>("--ex") { Description = "Expire after this many seconds" };
        var nx = new Option<bool>("--nx") { Description = "Only if the key does not exist" };
        var xx = new Option<bool>("--xx") { Description = "Only if the key exists" };
        var keepTtl = new Option<bool>("--keepttl") { Description = "Keep the key's time to live" };
        var get = new Option<bool>("--get") { Description = "Print the old value" };
        var set = new Command("set", "Set a key (SET); exit 1 when a condition kept it from being set") { key, value, px, ex, nx, xx, keepTtl, get };
        set.SetAction((result, cancellationToken) => WithStoreAsync(result, async store =>
        {
            if (result.GetValue(nx) && result.GetValue(xx))
            {
                await error.WriteLineAsync("kv: --nx and --xx exclude each other");
                return ExitCodes.Usage;
            }

            var expiry = result.GetValue(px) is { } ms ? Expiry.In(TimeSpan.FromMilliseconds(ms))
                : result.GetValue(ex) is { } s ? Expiry.In(TimeSpan.FromSeconds(s))
                : result.GetValue(keepTtl) ? Expiry.Keep
                : Expiry.Never;
            var when = result.GetValue(nx) ? SetWhen.NotExists : result.GetValue(xx) ? SetWhen.Exists : SetWhen.Always;
            var bytes = Encoding.UTF8.GetBytes(result.GetValue(value)!);
            if (result.GetValue(get))
            {
                var old = await store.SetAndGetAsync(result.GetValue(key)!, bytes, expiry, when, cancellationToken);
                await output.WriteLineAsync(old is null ? "(nil)" : Encoding.UTF8.GetString(old));
                return ExitCodes.Ok;
            }

            var done = await store.SetAsync(result.GetValue(key)!, bytes, expiry, when, cancellationToken);
            await output.WriteLineAsync(done ? "OK" : "(nil)");
            return done ? ExitCodes.Ok : ExitCodes.NotDone;
        }));

        var getCommand = new Command("get", "Print a key's value (GET); exit 1 when it does not exist") { key };
        getCommand.SetAction((result, cancellationToken) => WithStoreAsync(result, async store =>
        {
            var found = await store.GetAsync(result.GetValue(key)!, cancellationToken);
            if (found is null)
            {
                await error.WriteLineAsync("(nil)");
                return ExitCodes.NotDone;
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(found));
            return ExitCodes.Ok;
        }));

        var keys = new Argument<string[]>("keys") { Description = "Keys", Arity = ArgumentArity.OneOrMore };
        var del = new Command("del", "Delete keys (DEL); prints how many existed, exit 1 when none did") { keys };
        del.SetAction((result, cancellationToken) => WithStoreAsync(result, async store =>
        {
            var count = await store.DeleteAsync(result.GetValue(keys)!, cancellationToken);
            await output.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture));
            return count > 0 ? ExitCodes.Ok : ExitCodes.NotDone;
        }));

        var ttl = new Command("ttl", "Print a key's time to live in seconds (-1: none); exit 1 when it does not exist") { key };
        ttl.SetAction((result, cancellationToken) => WithStoreAsync(result, async store =>
        {
            var seconds = await store.TimeToLiveAsync(result.GetValue(key)!, cancellationToken);
            await output.WriteLineAsync(seconds.ToString(CultureInfo.InvariantCulture));
            return seconds == -2 ? ExitCodes.NotDone : ExitCodes.Ok;
        }));

        var resource = new Argument<string>("resource") { Description = "The locked resource (a key)" };
        var lockTtl = new Option<long>("--ttl") { Description = "Lock time to live in milliseconds", DefaultValueFactory = _ => 30_000 };
        var wait = new Option<long>("--wait") { Description = "Wait up to this many milliseconds for the lock", DefaultValueFactory = _ => 0 };
        var acquire = new Command("acquire", "Acquire a lock; prints its token and fencing token; exit 1 when it is held by someone else") { resource, lockTtl, wait };
        acquire.SetAction((result, cancellationToken) => WithClientAsync(result, async client =>
        {
            var held = await client.TryAcquireLockAsync(result.GetValue(resource)!, TimeSpan.FromMilliseconds(result.GetValue(lockTtl)), TimeSpan.FromMilliseconds(result.GetValue(wait)), cancellationToken);
            if (held is null)
            {
                await error.WriteLineAsync("kv: the lock is held by someone else");
                return ExitCodes.NotDone;
            }

            await output.WriteLineAsync($"token {held.Token}\nfencing-token {held.FencingToken.ToString(CultureInfo.InvariantCulture)}");
            return ExitCodes.Ok;
        }));
        var token = new Argument<string>("token") { Description = "The token acquire printed" };
        var release = new Command("release", "Release a lock held with this token; exit 1 when it is not held with it") { resource, token };
        release.SetAction((result, cancellationToken) => WithClientAsync(result, async client =>
        {
            var released = await client.ReleaseLockAsync(result.GetValue(resource)!, result.GetValue(token)!, cancellationToken);
            await output.WriteLineAsync(released ? "released" : "not held with this token");
            return released ? ExitCodes.Ok : ExitCodes.NotDone;
        }));
        var lockCommand = new Command("lock", "Distributed locks with fencing tokens") { acquire, release };

        var cluster = new Command("cluster", "Show the cluster's silos (INFO cluster)");
        cluster.SetAction((result, cancellationToken) => WithClientAsync(result, async client =>
        {
            var info = (await client.ExecuteAsync("INFO", ["cluster"], null, cancellationToken)).Text;
            await output.WriteLineAsync(ClusterTable.Format(info));
            return ExitCodes.Ok;
        }));

        var clients = new Option<int>("--clients", "-c") { Description = "Concurrent callers", DefaultValueFactory = _ => 50 };
        var requests = new Option<int>("--requests", "-n") { Description = "Requests per test", DefaultValueFactory = _ => 100_000 };
        var bench = new Command("bench", "Measure SET and GET throughput of the SDK (random keys, many concurrent callers on one client)") { clients, requests };
        bench.SetAction((result, cancellationToken) => WithClientAsync(result, async client =>
        {
            foreach (var test in (string[])["SET", "GET"])
            {
                var rate = await SdkBenchmark.RunAsync(client, test, result.GetValue(clients), result.GetValue(requests), cancellationToken);
                await output.WriteLineAsync($"{test}: {rate.ToString("0.00", CultureInfo.InvariantCulture)} requests per second");
            }

            return ExitCodes.Ok;
        }));

        var root = new RootCommand("kv: the Orleans.KeyValue command-line client. With no command: interactive mode.")
        {
            set, getCommand, del, ttl, lockCommand, cluster, bench,
        };
        root.Options.Add(host);
        root.Options.Add(port);
        root.Options.Add(endpoints);
        root.Options.Add(password);
        root.Options.Add(timeout);
        root.Options.Add(noRouting);
        root.Options.Add(orleans);
        root.Options.Add(gateways);
        root.Options.Add(connectionString);
        root.Options.Add(clusterId);
        root.Options.Add(tls);
        root.Options.Add(caCert);
        root.Options.Add(cert);
        root.Options.Add(certKey);
        root.SetAction((result, cancellationToken) => WithClientAsync(result, client => InteractiveShell.RunAsync(client, output, cancellationToken)));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync("kv: " + parseError.Message);
            }

            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync();
    }
}

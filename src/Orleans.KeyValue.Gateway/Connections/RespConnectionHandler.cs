using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Gateway.Diagnostics;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>
/// One RESP client connection, from Kestrel. Reads every command that has arrived, runs them
/// in order, writes the replies in order, and flushes once per batch (full pipelining). A
/// command that must wait (for a busy grain, or another silo) does not hold up the next ones:
/// later key commands on other slots start meanwhile, up to <c>PipelineWindow</c>, and replies
/// still leave in order; a command on a slot still in flight, or one without a key, waits for
/// everything before it. Protocol errors get Redis's reply and close the connection; nothing a
/// client sends affects other connections.
/// </summary>
public sealed partial class RespConnectionHandler : ConnectionHandler
{
    private readonly CommandExecutor _executor;
    private readonly ClientRegistry _clients;
    private readonly RespGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly RespLimits _limits;
    private readonly ILogger _logger;
    private readonly CommandStatistics _statistics;

    public RespConnectionHandler(CommandExecutor executor, ClientRegistry clients, IOptions<RespGatewayOptions> options, TimeProvider time, ILogger<RespConnectionHandler> logger, CommandStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _executor = executor;
        _statistics = statistics;
        _clients = clients;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _limits = new RespLimits
        {
            MaxBulkLength = _options.MaxBulkLength,
            MaxArguments = _options.MaxArguments,
            MaxInlineLength = _options.MaxInlineLength,
        };
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var session = new ClientSession(_clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, now, authenticated: !_executor.RequiresPassword)
        {
            IsTls = connection.Features.Get<ITlsHandshakeFeature>() is not null,
            User = _executor.Users.Default,
            Kill = () => connection.Abort(new ConnectionAbortedException("Closed by the server: ACL DELUSER, or a client memory limit.")),
        };
        var output = connection.Transport.Output;
        if (!_clients.TryAdd(session))
        {
            RespWriter.WriteError(output, ErrorTexts.MaxClients);
            await output.FlushAsync();
            LogRejected(_options.MaxClients);
            return;
        }

        var parser = new RespRequestParser(_limits);
        var request = new RespRequest();
        using var window = new PipelineWindow();
        var context = new CommandContext(session);
        var input = connection.Transport.Input;
        using var idle = new CancellationTokenSource();

        // Server shutdown asks every connection to close: a client waiting between commands
        // is let go at once instead of holding the shutdown until its timeout.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        try
        {
            while (true)
            {
                // Not the connection-closed token: a client that sends its commands and at once
                // shuts its write side (`printf 'PING\r\n' | nc -N`) closes the connection to
                // Kestrel, yet its commands are read with the end of input and answered, as Redis
                // does; the read then reports the end (found by bench/fuzz.sh).
                var read = await ReadAsync(input, idle, closing);
                if (read is null)
                {
                    LogIdleClosed(session.Id);
                    break;
                }

                var result = read.Value;
                var buffer = result.Buffer;
                var position = buffer.Start;
                var close = false;
                while (true)
                {
                    var step = RunBuffered(buffer.Slice(position), parser, ref request, window, context, output, out position, out var pending, out var started);
                    if (step is Step.NeedMoreData or Step.Drain || (step == Step.Close && window.Count > 0))
                    {
                        // Every reply of this batch before the input moves on (or the held
                        // command runs, or the connection closes).
                        if (!await DrainAsync(window, context, output))
                        {
                            close = true;
                            break;
                        }

                        if (window.ProtocolError is { } error)
                        {
                            RespWriter.WriteError(output, "ERR " + error);
                            close = true;
                            break;
                        }

                        if (window.Held)
                        {
                            window.Held = false;
                            started = _statistics.Start();
                            pending = _executor.ExecuteAsync(context, request);
                            step = Step.Await;
                        }
                    }

                    if (step == Step.NeedMoreData)
                    {
                        break;
                    }

                    if (step == Step.Close)
                    {
                        close = true;
                        break;
                    }

                    if (step == Step.Flush)
                    {
                        // Bounded memory for huge pipelines: hand replies over before going on.
                        if (!await FlushAsync(output, session))
                        {
                            close = true;
                            break;
                        }

                        continue;
                    }

                    // A grain was busy: wait for it, keeping the reply in order.
                    var reply = await pending;
                    _statistics.Record(context, request, reply, started);
                    ReplyWriter.Write(output, reply, session.Protocol);
                    if (session.CloseRequested)
                    {
                        close = true;
                        break;
                    }

                    if (output.UnflushedBytes > _options.OutputBufferLimit && !await FlushAsync(output, session))
                    {
                        close = true;
                        break;
                    }
                }

                var unparsed = parser.PendingBytes + buffer.Slice(position).Length;
                if (!close && unparsed > _options.ClientQueryBufferLimit)
                {
                    // Redis: "Closing client that reached max query buffer length".
                    LogQueryBufferLimit(session.Id, _options.ClientQueryBufferLimit);
                    close = true;
                }

                _clients.Account(session, close ? 0 : unparsed, session.OutputBytes);
                input.AdvanceTo(position, buffer.End);
                if (!await FlushAsync(output, session))
                {
                    break;
                }

                if (close || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (ConnectionResetException)
        {
            // The client went away; nothing to answer.
        }
        catch (IOException)
        {
            // The socket failed under us; the client is gone.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Server shutdown or the transport closed the connection.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A bug: keep it to this one connection, tell the client if the stream is intact.
            LogConnectionFailed(exception, session.Id);
            TryWriteError(output, "ERR internal error: " + exception.Message);
        }
        finally
        {
            request.Dispose();
            _clients.Remove(session);
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    private enum Step
    {
        NeedMoreData,
        Await,
        Flush,
        Close,
        Drain,
    }

    /// <summary>Waits for every command in flight, in order, writing each reply; false when the client must be closed (output buffer limits).</summary>
    private async ValueTask<bool> DrainAsync(PipelineWindow window, CommandContext context, PipeWriter output)
    {
        while (window.Count > 0)
        {
            var entry = window.Take();
            var reply = await entry.Reply;
            WriteEntry(window, entry, reply, context, output);
            if (output.UnflushedBytes > _options.OutputBufferLimit && !await FlushAsync(output, context.Session))
            {
                // The rest of the window still answers into the void, so no command is left running unseen.
                while (window.Count > 0)
                {
                    var rest = window.Take();
                    await rest.Reply;
                    window.Return(rest);
                }

                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Hands the replies written so far to the socket. A client that does not read them makes the
    /// flush wait: what the silo then holds for it counts against Redis's
    /// <c>client-output-buffer-limit</c> (past the hard limit the client is closed at once; past
    /// the soft one for its seconds, too) and <c>maxmemory-clients</c>. False: the client is closed.
    /// </summary>
    private async ValueTask<bool> FlushAsync(PipeWriter output, ClientSession session)
    {
        var held = output.UnflushedBytes;
        var flush = output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return !flush.Result.IsCanceled;
        }

        _clients.Account(session, session.InputBytes, held);
        try
        {
            if (_options.OutputHardLimit > 0 && held >= _options.OutputHardLimit)
            {
                return OutputLimitReached(session, held, "hard");
            }

            if (_options.OutputSoftLimit > 0 && held >= _options.OutputSoftLimit)
            {
                try
                {
                    await flush.AsTask().WaitAsync(TimeSpan.FromSeconds(_options.OutputSoftSeconds), _time);
                    return true;
                }
                catch (TimeoutException)
                {
                    return OutputLimitReached(session, held, "soft");
                }
            }

            var result = await flush;
            return !result.IsCanceled;
        }
        finally
        {
            _clients.Account(session, session.InputBytes, 0);
        }
    }

    private bool OutputLimitReached(ClientSession session, long held, string which)
    {
        // Redis: "Client ... scheduled to be closed ASAP for overcoming of output buffer limits."
        LogOutputBufferLimit(session.Id, held, which);
        session.Kill?.Invoke();
        return false;
    }

    /// <summary>Writes the replies of the oldest commands in flight that are done, in order.</summary>
    private void WriteReady(PipelineWindow window, CommandContext context, PipeWriter output)
    {
        while (window.TryTakeReady(out var entry))
        {
            WriteEntry(window, entry, entry.Reply.Result, context, output);
        }
    }

    private void WriteEntry(PipelineWindow window, PipelineWindow.Entry entry, in KvReply reply, CommandContext context, PipeWriter output)
    {
        context.Current = entry.Definition;
        _statistics.Record(context, entry.Request, reply, entry.Started);
        ReplyWriter.Write(output, reply, context.Session.Protocol);
        window.Return(entry);
    }

    /// <summary>
    /// Runs every complete command in <paramref name="buffer"/> whose reply is ready at once.
    /// Stops at the end of the input, at a command that must be awaited, or at a close.
    /// </summary>
    private Step RunBuffered(ReadOnlySequence<byte> buffer, RespRequestParser parser, ref RespRequest request, PipelineWindow window, CommandContext context, PipeWriter output, out SequencePosition consumed, out ValueTask<KvReply> pending, out long started)
    {
        var session = context.Session;
        var reader = new SequenceReader<byte>(buffer);
        pending = default;
        started = 0;
        try
        {
            while (true)
            {
                var status = parser.Parse(ref reader, request, !session.AuthRequired);
                if (status == RespParseStatus.NeedMoreData)
                {
                    return Step.NeedMoreData;
                }

                if (status == RespParseStatus.Error)
                {
                    LogProtocolError(session.Id, parser.Error);
                    if (window.Count > 0)
                    {
                        // Answered after the replies of the commands still in flight.
                        window.ProtocolError = parser.Error;
                        return Step.Drain;
                    }

                    RespWriter.WriteError(output, "ERR " + parser.Error);
                    return Step.Close;
                }

                session.LastActivityMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                started = _statistics.Start();
                var slot = -1;
                if (window.Count > 0 && (window.Count >= _options.PipelineWindow || !_executor.TryGetPipelineSlot(request, out slot) || window.Holds(slot)))
                {
                    // Must not overtake the commands in flight: it runs once they answered.
                    window.Held = true;
                    return Step.Drain;
                }

                var reply = _executor.ExecuteAsync(context, request);
                if (window.Count == 0)
                {
                    if (reply.IsCompletedSuccessfully)
                    {
                        var done = reply.Result;
                        _statistics.Record(context, request, done, started);
                        ReplyWriter.Write(output, done, session.Protocol);
                        if (session.CloseRequested)
                        {
                            return Step.Close;
                        }

                        if (output.UnflushedBytes > _options.OutputBufferLimit)
                        {
                            return Step.Flush;
                        }

                        continue;
                    }

                    if (_options.PipelineWindow == 1 || !_executor.TryGetPipelineSlot(request, out slot))
                    {
                        pending = reply;
                        return Step.Await;
                    }
                }

                // In flight next to others: the parser goes on with a fresh request.
                window.Add(reply, ref request, context.Current, started, slot);
                WriteReady(window, context, output);
                if (output.UnflushedBytes > _options.OutputBufferLimit)
                {
                    return Step.Flush;
                }
            }
        }
        finally
        {
            consumed = reader.Position;
        }
    }

    private async ValueTask<ReadResult?> ReadAsync(PipeReader input, CancellationTokenSource idle, CancellationToken closed)
    {
        if (_options.ClientIdleTimeout <= TimeSpan.Zero)
        {
            return await input.ReadAsync(closed);
        }

        idle.CancelAfter(_options.ClientIdleTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, closed);
        try
        {
            var result = await input.ReadAsync(linked.Token);
            if (!idle.TryReset())
            {
                return null;
            }

            return result;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !closed.IsCancellationRequested)
        {
            return null;
        }
    }

    private static void TryWriteError(PipeWriter output, string text)
    {
        try
        {
            RespWriter.WriteError(output, text);
        }
        catch (InvalidOperationException)
        {
            // The writer is already completed: nothing more can be said.
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Refused a client: maxclients ({MaxClients}) reached")]
    private partial void LogRejected(int maxClients);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "Client {ClientId} sent a malformed request: {Error}")]
    private partial void LogProtocolError(long clientId, string? error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Connection of client {ClientId} failed")]
    private partial void LogConnectionFailed(Exception exception, long clientId);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Closed client {ClientId}: its input not yet parsed reached client-query-buffer-limit ({Limit} bytes)")]
    private partial void LogQueryBufferLimit(long clientId, long limit);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Closed client {ClientId}: it did not read its replies ({Bytes} bytes held), past the {Which} client-output-buffer-limit")]
    private partial void LogOutputBufferLimit(long clientId, long bytes, string which);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "Client {ClientId} closed after the idle timeout")]
    private partial void LogIdleClosed(long clientId);
}

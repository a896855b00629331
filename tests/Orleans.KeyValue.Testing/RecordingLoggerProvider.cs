using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Orleans.KeyValue.Testing;

/// <summary>
/// Keeps the log lines of in-process silos (at or above a level) so a failing test can show what
/// the cluster did; bounded, the oldest lines are dropped.
/// </summary>
public sealed class RecordingLoggerProvider(string name, LogLevel minimum = LogLevel.Information, int capacity = 2000) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string _name = name;
    private readonly LogLevel _minimum = minimum;

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string Dump() => string.Join(Environment.NewLine, _lines);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            owner.Add(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {owner._name} {logLevel} {shortCategory}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}"));
        }
    }
}

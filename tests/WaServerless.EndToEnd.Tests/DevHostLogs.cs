using Microsoft.Extensions.Logging;

namespace WaServerless.EndToEnd.Tests;

/// <summary>A devhost's last lines, each stamped with the time it came, for a failing test to show.</summary>
public sealed class LineTail
{
    private const int Keep = 300;
    private readonly Queue<string> _lines = new();

    /// <summary>Keeps <paramref name="line"/> (dropping the oldest past 300) and returns it as kept, stamped.</summary>
    public string Add(string line)
    {
        var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
        lock (_lines)
        {
            _lines.Enqueue(stamped);
            if (_lines.Count > Keep)
            {
                _lines.Dequeue();
            }
        }

        return stamped;
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return string.Join(Environment.NewLine, _lines);
        }
    }
}

/// <summary>
/// An in-process devhost's log kept in memory: its last entries (at the levels the host's settings
/// let through), one line each, with the exception's type and message but not its stack.
/// </summary>
public sealed class RecentLog : ILoggerProvider
{
    private readonly LineTail _tail = new();

    public ILogger CreateLogger(string categoryName) => new Logger(_tail, categoryName);

    public override string ToString() => _tail.ToString();

    public void Dispose()
    {
    }

    private sealed class Logger(LineTail tail, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var failure = exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})";
            tail.Add($"{logLevel} {category}: {formatter(state, exception).ReplaceLineEndings(" ")}{failure}");
        }
    }
}

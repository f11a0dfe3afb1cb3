using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Microsoft.DurableTask
{
    // Abstract/virtual modifiers follow the real 1.5.0 type, so a test fake that overrides the
    // abstract members compiles against both. The virtual convenience members below forward to
    // the abstract ones exactly as the real type does (they touch nothing outside this object),
    // so such a fake behaves the same here as with the real package.
    public abstract class TaskOrchestrationContext
    {
        public abstract TaskName Name { get; }

        public abstract string InstanceId { get; }

        public abstract ParentOrchestrationInstance? Parent { get; }

        public abstract DateTime CurrentUtcDateTime { get; }

        public abstract bool IsReplaying { get; }

        protected abstract ILoggerFactory LoggerFactory { get; }

        public abstract T? GetInput<T>();

        public virtual Task CallActivityAsync(TaskName name, object? input = null, TaskOptions? options = null)
            => CallActivityAsync<object>(name, input, options);

        public virtual Task CallActivityAsync(TaskName name, TaskOptions options)
            => CallActivityAsync(name, null, options);

        public virtual Task<TResult> CallActivityAsync<TResult>(TaskName name, TaskOptions options)
            => CallActivityAsync<TResult>(name, null, options);

        public abstract Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null);

        public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken)
            => CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

        public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

        public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

        public async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout)
        {
            using var timerCancellation = new CancellationTokenSource();
            using var eventCancellation = new CancellationTokenSource();
            Task timer = CreateTimer(timeout, timerCancellation.Token);
            Task<T> received = WaitForExternalEvent<T>(eventName, eventCancellation.Token);

            if (await Task.WhenAny(timer, received) == received)
            {
                timerCancellation.Cancel();
            }
            else
            {
                eventCancellation.Cancel();
            }

            return await received;
        }

        public abstract void SendEvent(string instanceId, string eventName, object payload);

        public abstract void SetCustomStatus(object? customStatus);

        public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(
            TaskName orchestratorName, object? input = null, TaskOptions? options = null);

        public virtual Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, TaskOptions options)
            => CallSubOrchestratorAsync<TResult>(orchestratorName, null, options);

        public virtual Task CallSubOrchestratorAsync(TaskName orchestratorName, TaskOptions options)
            => CallSubOrchestratorAsync(orchestratorName, null, options);

        public virtual Task CallSubOrchestratorAsync(TaskName orchestratorName, object? input = null, TaskOptions? options = null)
            => CallSubOrchestratorAsync<object>(orchestratorName, input, options);

        public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

        public abstract Guid NewGuid();

        public virtual ILogger CreateReplaySafeLogger(string categoryName)
            => new ReplaySafeLogger(this, LoggerFactory.CreateLogger(categoryName));

        public virtual ILogger CreateReplaySafeLogger(Type type)
            => new ReplaySafeLogger(this, LoggerFactory.CreateLogger(type));

        public virtual ILogger CreateReplaySafeLogger<T>()
            => new ReplaySafeLogger(this, LoggerFactory.CreateLogger<T>());

        private sealed class ReplaySafeLogger : ILogger
        {
            private readonly TaskOrchestrationContext _context;
            private readonly ILogger _inner;

            internal ReplaySafeLogger(TaskOrchestrationContext context, ILogger inner)
            {
                _context = context;
                _inner = inner;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
                => _inner.BeginScope(state);

            public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

            public void Log<TState>(
                LogLevel logLevel,
                EventId eventId,
                TState state,
                Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                if (!_context.IsReplaying)
                {
                    _inner.Log(logLevel, eventId, state, exception, formatter);
                }
            }
        }
    }
}

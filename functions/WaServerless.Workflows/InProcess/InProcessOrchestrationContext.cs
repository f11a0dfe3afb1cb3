using System.Security.Cryptography;
using System.Text;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace WaServerless.Workflows.InProcess;

/// <summary>
/// The orchestration context of the in-process runner: one generation of one instance, run as a
/// plain async method. Timers are timers on the runner's <see cref="TimeProvider"/>; activities are
/// resolved from DI and run at once (with the TaskOptions retry policy); events are delivered as
/// they are raised. No history and no replay: <see cref="IsReplaying"/> is always false, and a
/// restart runs the orchestrator again from its input. External events follow Durable Task 1.5:
/// case-insensitive names, waiters served first come first served, an event with no waiter kept
/// until one comes, and a cancelled waiter still in line takes (and loses) the next event of its name.
/// </summary>
public sealed class InProcessOrchestrationContext : TaskOrchestrationContext
{
    private readonly InProcessOrchestrationRunner _runner;
    private readonly object? _input;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly CancellationToken _stopping;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<IEventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Name, string? Payload)> _buffered = [];
    private readonly HashSet<PendingTimer> _timers = [];
    private int _guidCounter;
    private bool _stopped;

    internal InProcessOrchestrationContext(
        InProcessOrchestrationRunner runner,
        TaskName name,
        string instanceId,
        int generation,
        object? input,
        IEnumerable<(string Name, string? Payload)> carriedEvents,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        CancellationToken stopping)
    {
        _runner = runner;
        Name = name;
        InstanceId = instanceId;
        Generation = generation;
        _input = input;
        _time = time;
        _loggerFactory = loggerFactory;
        _stopping = stopping;
        _buffered.AddRange(carriedEvents);
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }

    /// <summary>How many times the instance continued as new before this run.</summary>
    public int Generation { get; }

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => _time.GetUtcNow().UtcDateTime;

    public override bool IsReplaying => false;

    internal (object? Input, bool PreserveEvents)? ContinuedAsNew { get; private set; }

    internal string? CustomStatusJson { get; private set; }

    protected override ILoggerFactory LoggerFactory => _loggerFactory;

    public override T? GetInput<T>()
        where T : default => _input is T typed ? typed : WorkflowJson.Deserialize<T>(WorkflowJson.Serialize(_input));

    public override async Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        ThrowIfStopped();
        if (input is TaskOptions && options is null)
        {
            throw new ArgumentException("TaskOptions were passed as the activity input; pass them as options.", nameof(input));
        }

        var result = await _runner.RunActivityAsync(name, InstanceId, input, typeof(TResult), options, _stopping);
        return (TResult)result!;
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        ThrowIfStopped();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var fireAtUtc = fireAt.Kind == DateTimeKind.Local ? fireAt.ToUniversalTime() : DateTime.SpecifyKind(fireAt, DateTimeKind.Utc);
        var due = fireAtUtc - CurrentUtcDateTime;
        if (due <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var timer = new PendingTimer(fireAtUtc);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Start(_time, due, () => Forget(timer));
        if (cancellationToken.CanBeCanceled)
        {
            timer.Registration = cancellationToken.Register(() =>
            {
                Forget(timer);
                timer.Cancel(cancellationToken);
            });
        }

        return timer.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ThrowIfStopped();
        string? payload;
        lock (_gate)
        {
            var index = _buffered.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                var waiter = new EventWaiter<T>();
                if (!_waiters.TryGetValue(eventName, out var queue))
                {
                    _waiters[eventName] = queue = new Queue<IEventWaiter>();
                }

                queue.Enqueue(waiter);
                if (cancellationToken.CanBeCanceled)
                {
                    cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
                }

                return waiter.Task;
            }

            payload = _buffered[index].Payload;
            _buffered.RemoveAt(index);
        }

        return Task.FromResult(WorkflowJson.Deserialize<T>(payload)!);
    }

    public override void SendEvent(string instanceId, string eventName, object payload)
    {
        ThrowIfStopped();
        _runner.RaiseEventInBackground(instanceId, eventName, payload);
    }

    public override void SetCustomStatus(object? customStatus) => CustomStatusJson = customStatus is null ? null : WorkflowJson.Serialize(customStatus);

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        throw new NotSupportedException("The in-process runner does not run sub-orchestrations.");

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        ThrowIfStopped();
        lock (_gate)
        {
            ContinuedAsNew = (newInput, preserveUnprocessedEvents);
        }
    }

    /// <summary>Name-based and repeatable for one instance and generation, like the engine's (which also folds in the replay time).</summary>
    public override Guid NewGuid()
    {
        var counter = Interlocked.Increment(ref _guidCounter);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{InstanceId}_{Generation}_{counter}"), hash);
        var bytes = hash[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Delivers an event: to the first waiter of its name, else kept for a later wait.</summary>
    internal void Deliver(string eventName, string? payload)
    {
        IEventWaiter? waiter = null;
        lock (_gate)
        {
            if (ContinuedAsNew is null && _waiters.TryGetValue(eventName, out var queue) && queue.Count > 0)
            {
                waiter = queue.Dequeue();
                if (queue.Count == 0)
                {
                    _waiters.Remove(eventName);
                }
            }
            else
            {
                // No waiter, or the generation is ending: the next generation gets it if events are preserved.
                _buffered.Add((eventName, payload));
            }
        }

        waiter?.TrySetResult(payload);
    }

    /// <summary>Events no wait took, for the next generation.</summary>
    internal IReadOnlyList<(string Name, string? Payload)> TakeUnclaimedEvents()
    {
        lock (_gate)
        {
            var events = _buffered.ToList();
            _buffered.Clear();
            return events;
        }
    }

    internal (IReadOnlyList<DateTimeOffset> Timers, IReadOnlyList<string> Events) Pending()
    {
        lock (_gate)
        {
            return (
                [.. _timers.Select(t => new DateTimeOffset(t.FireAt, TimeSpan.Zero)).Order()],
                [.. _waiters.Where(w => w.Value.Any(x => !x.IsCompleted)).Select(w => w.Key).Order(StringComparer.Ordinal)]);
        }
    }

    /// <summary>The runner is stopping: nothing started here completes any more, and nothing new starts.</summary>
    internal void Stop()
    {
        PendingTimer[] timers;
        lock (_gate)
        {
            _stopped = true;
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Abandon();
        }
    }

    private void Forget(PendingTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private void ThrowIfStopped()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                throw new OperationCanceledException("The in-process runner is stopping.", _stopping);
            }
        }
    }

    private interface IEventWaiter
    {
        bool IsCompleted { get; }

        void TrySetResult(string? payload);
    }

    private sealed class EventWaiter<T> : IEventWaiter
    {
        private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _source.Task;

        public bool IsCompleted => _source.Task.IsCompleted;

        public void TrySetResult(string? payload)
        {
            T value;
            try
            {
                value = WorkflowJson.Deserialize<T>(payload)!;
            }
            catch (System.Text.Json.JsonException e)
            {
                _source.TrySetException(e);
                return;
            }

            _source.TrySetResult(value);
        }

        public void TrySetCanceled(CancellationToken cancellationToken) => _source.TrySetCanceled(cancellationToken);
    }

    private sealed class PendingTimer(DateTime fireAt)
    {
        private readonly TaskCompletionSource _source = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ITimer? _timer;

        public DateTime FireAt { get; } = fireAt;

        public Task Task => _source.Task;

        public CancellationTokenRegistration Registration { get; set; }

        public void Start(TimeProvider time, TimeSpan due, Action fired)
        {
            _timer = time.CreateTimer(
                _ =>
                {
                    fired();
                    Registration.Dispose();
                    _source.TrySetResult();
                },
                null,
                due,
                Timeout.InfiniteTimeSpan);
        }

        public void Cancel(CancellationToken cancellationToken)
        {
            _timer?.Dispose();
            _source.TrySetCanceled(cancellationToken);
        }

        /// <summary>Stops the timer without completing its task: an orchestrator abandoned at shutdown never resumes.</summary>
        public void Abandon()
        {
            _timer?.Dispose();
            Registration.Dispose();
        }
    }
}

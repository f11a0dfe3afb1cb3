using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Workflows;

namespace WaServerless.Workflows.Tests;

/// <summary>A durable timer the orchestrator created, as the fake saw it.</summary>
public sealed class FakeTimer(DateTime fireAt)
{
    internal TaskCompletionSource Source { get; } = new();

    public DateTime FireAt { get; } = fireAt;

    public bool Fired => Source.Task.IsCompletedSuccessfully;

    public bool Cancelled => Source.Task.IsCanceled;

    public bool Pending => !Source.Task.IsCompleted;
}

/// <summary>An activity call, with its input as the activity would receive it (through JSON).</summary>
public sealed record ActivityCall(string Name, object? Input, TaskOptions? Options, DateTime At);

/// <summary>
/// A deterministic <see cref="TaskOrchestrationContext"/> for orchestrator unit tests, in the style
/// of the Durable Task samples' fake contexts, without a mocking library. The orchestrator runs on
/// the test's thread under a private synchronization context that the fake drains after every step,
/// so when a call returns the orchestrator has gone as far as it can: it waits on a timer or an
/// event, or it finished. Time moves only when the test says so; due timers fire in order, each at
/// its own time. Activities answer from scripted handlers, synchronously. Inputs, results and event
/// payloads go through JSON as with the real engine. Events follow Durable Task 1.5: first come
/// first served, kept when no one waits, and a cancelled wait still in line swallows the next one.
/// </summary>
public sealed class FakeOrchestrationContext : TaskOrchestrationContext
{
    private readonly Pump _pump = new();
    private readonly Dictionary<string, Func<object?, object?>> _activities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _activityInputTypes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<IWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Name, string? Payload)> _buffered = [];
    private readonly List<FakeTimer> _timers = [];
    private readonly List<ActivityCall> _calls = [];
    private object? _input;
    private DateTime _now;
    private int _guids;

    public FakeOrchestrationContext(DateTime startUtc, string instanceId = "instance-1", string name = "Orchestrator")
    {
        _now = DateTime.SpecifyKind(startUtc, DateTimeKind.Utc);
        InstanceId = instanceId;
        Name = name;
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => _now;

    public override bool IsReplaying => false;

    public IReadOnlyList<FakeTimer> Timers => _timers;

    public IReadOnlyList<FakeTimer> PendingTimers => [.. _timers.Where(t => t.Pending)];

    public IReadOnlyList<ActivityCall> ActivityCalls => _calls;

    /// <summary>The input of ContinueAsNew, once called.</summary>
    public object? ContinuedAsNewWith { get; private set; }

    public int ContinueAsNewCount { get; private set; }

    public object? CustomStatus { get; private set; }

    /// <summary>Event names with a wait that is still open.</summary>
    public IReadOnlyList<string> WaitingFor => [.. _waiters.Where(w => w.Value.Any(x => !x.IsCompleted)).Select(w => w.Key)];

    protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    private DateTime Now { get => _now; set => _now = DateTime.SpecifyKind(value, DateTimeKind.Utc); }

    /// <summary>Scripts an activity: its input arrives as <typeparamref name="TIn"/>, its answer goes back through JSON.</summary>
    public FakeOrchestrationContext OnActivity<TIn, TOut>(string name, Func<TIn, TOut> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _activities[name] = input => handler((TIn)input!);
        _activityInputTypes[name] = typeof(TIn);
        return this;
    }

    /// <summary>Runs the orchestrator until it first waits; the task completes when it finishes.</summary>
    public Task<TOut> Start<TIn, TOut>(TaskOrchestrator<TIn, TOut> orchestrator, TIn input)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        _input = input;
        Task<TOut>? run = null;
        _pump.Run(() => run = orchestrator.RunAsync(this, input));
        return run!;
    }

    public void RaiseEvent(string name, object? payload = null)
    {
        var json = payload is null ? null : JsonDataConverter.Default.Serialize(payload);
        _pump.Run(() =>
        {
            if (_waiters.TryGetValue(name, out var queue) && queue.Count > 0)
            {
                var waiter = queue.Dequeue();
                if (queue.Count == 0)
                {
                    _waiters.Remove(name);
                }

                waiter.TrySetResult(json);
            }
            else
            {
                _buffered.Add((name, json));
            }
        });
    }

    /// <summary>Moves time to <paramref name="to"/>, firing every due timer in order at its own time.</summary>
    public void AdvanceTo(DateTime to)
    {
        to = DateTime.SpecifyKind(to, DateTimeKind.Utc);
        while (_timers.Where(t => t.Pending && t.FireAt <= to).OrderBy(t => t.FireAt).FirstOrDefault() is { } next)
        {
            if (next.FireAt > Now)
            {
                Now = next.FireAt;
            }

            _pump.Run(() => next.Source.TrySetResult());
        }

        if (to > Now)
        {
            Now = to;
        }
    }

    public void Advance(TimeSpan by) => AdvanceTo(Now + by);

    /// <summary>Fires the earliest pending timer (moving time to it).</summary>
    public FakeTimer FireNextTimer()
    {
        var next = _timers.Where(t => t.Pending).OrderBy(t => t.FireAt).FirstOrDefault()
            ?? throw new InvalidOperationException("No pending timer.");
        AdvanceTo(next.FireAt);
        return next;
    }

    public IReadOnlyList<ActivityCall> CallsTo(string name) => [.. _calls.Where(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))];

    public override T? GetInput<T>()
        where T : default => (T?)_input;

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        if (!_activities.TryGetValue(name.Name, out var handler))
        {
            throw new InvalidOperationException($"No handler scripted for activity {name.Name}.");
        }

        var delivered = input is null ? null : JsonDataConverter.Default.Deserialize(JsonDataConverter.Default.Serialize(input), _activityInputTypes[name.Name]);
        _calls.Add(new ActivityCall(name.Name, delivered, options, Now));
        try
        {
            var result = handler(delivered);
            return Task.FromResult(JsonDataConverter.Default.Deserialize<TResult>(JsonDataConverter.Default.Serialize(result))!);
        }
        catch (Exception e)
        {
            return Task.FromException<TResult>(e);
        }
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        var timer = new FakeTimer(DateTime.SpecifyKind(fireAt, DateTimeKind.Utc));
        _timers.Add(timer);
        if (timer.FireAt <= Now)
        {
            timer.Source.TrySetResult();
        }

        cancellationToken.Register(() => timer.Source.TrySetCanceled(cancellationToken));
        return timer.Source.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        var index = _buffered.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            var payload = _buffered[index].Payload;
            _buffered.RemoveAt(index);
            return Task.FromResult(JsonDataConverter.Default.Deserialize<T>(payload)!);
        }

        var waiter = new Waiter<T>();
        if (!_waiters.TryGetValue(eventName, out var queue))
        {
            _waiters[eventName] = queue = new Queue<IWaiter>();
        }

        queue.Enqueue(waiter);
        cancellationToken.Register(() => waiter.Source.TrySetCanceled(cancellationToken));
        return waiter.Source.Task;
    }

    public override void SendEvent(string instanceId, string eventName, object payload) =>
        throw new NotSupportedException("The orchestrations under test send no events.");

    public override void SetCustomStatus(object? customStatus) => CustomStatus = customStatus;

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        throw new NotSupportedException("The orchestrations under test call no sub-orchestrations.");

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        ContinuedAsNewWith = newInput is null ? null : JsonDataConverter.Default.Deserialize(JsonDataConverter.Default.Serialize(newInput), newInput.GetType());
        ContinueAsNewCount++;
    }

    public override Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, ++_guids);
        return new Guid(bytes);
    }

    private interface IWaiter
    {
        bool IsCompleted { get; }

        void TrySetResult(string? payload);
    }

    private sealed class Waiter<T> : IWaiter
    {
        public TaskCompletionSource<T> Source { get; } = new();

        public bool IsCompleted => Source.Task.IsCompleted;

        public void TrySetResult(string? payload) => Source.TrySetResult(JsonDataConverter.Default.Deserialize<T>(payload)!);
    }

    /// <summary>A single-threaded synchronization context: continuations queue up and run, in order, when drained.</summary>
    private sealed class Pump : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

        public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public void Run(Action action)
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                action();
                while (_queue.TryDequeue(out var item))
                {
                    item.Callback(item.State);
                }
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}

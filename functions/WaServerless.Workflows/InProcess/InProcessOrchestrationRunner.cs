using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WaServerless.Workflows.InProcess;

/// <summary>What a running in-process instance is waiting for, for diagnostics and tests.</summary>
public sealed record InProcessInstanceState(
    string InstanceId,
    string Name,
    int Generation,
    IReadOnlyList<DateTimeOffset> PendingTimers,
    IReadOnlyList<string> WaitingForEvents,
    string? CustomStatusJson);

/// <summary>An activity failed after its retries; the orchestration that called it fails with this.</summary>
public sealed class ActivityFailedException(string activityName, Exception innerException)
    : Exception($"Activity {activityName} failed: {innerException?.Message}", innerException)
{
    public string ActivityName { get; } = activityName;
}

/// <summary>
/// The devhost's one-machine stand-in for Durable Functions: runs the same orchestrator classes as
/// plain async methods through <see cref="InProcessOrchestrationContext"/>. It does not replay.
/// Instead every instance's name and current input are kept in a table (updated at ContinueAsNew),
/// and <see cref="ResumeUnfinishedAsync"/> starts again, from that input, every instance a stop or a
/// crash cut off; the orchestrations are written for that (idempotent activities, progress in
/// Tables). A second start of a running instance id is a no-op. Durable Functions is the engine
/// that scales; this is for one process.
/// </summary>
public sealed partial class InProcessOrchestrationRunner : IWorkflowClient, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly WorkflowRegistry _registry;
    private readonly InProcessInstanceStore _store;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Instance> _running = new(StringComparer.Ordinal);

    public InProcessOrchestrationRunner(IServiceProvider services, WorkflowRegistry registry, InProcessInstanceStore store, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _services = services;
        _registry = registry;
        _store = store;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<InProcessOrchestrationRunner>();
    }

    public async Task<bool> StartAsync(TaskName orchestrator, string instanceId, object input, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (_registry.FindOrchestrator(orchestrator) is null)
        {
            throw new ArgumentException($"No orchestrator named '{orchestrator.Name}' is registered.", nameof(orchestrator));
        }

        var inputJson = WorkflowJson.Serialize(input);
        var instance = new Instance(instanceId, orchestrator.Name, inputJson, 0);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (!_running.TryAdd(instanceId, instance))
            {
                LogDuplicateStart(_logger, instanceId);
                return false;
            }
        }

        bool started;
        try
        {
            var persisted = await _store.GetAsync(instanceId, cancellationToken);
            if (persisted is { Status: InProcessInstanceStatus.Running })
            {
                // Cut off earlier and not resumed yet: it goes on from where it was, not from this input.
                instance.Name = persisted.Name;
                instance.InputJson = persisted.InputJson;
                instance.Generation = persisted.Generation;
                started = false;
            }
            else
            {
                await _store.SaveRunningAsync(instanceId, instance.Name, inputJson, 0, cancellationToken);
                started = true;
            }
        }
        catch
        {
            lock (_gate)
            {
                _running.Remove(instanceId);
            }

            throw;
        }

        Launch(instance);
        return started;
    }

    public Task RaiseEventAsync(string instanceId, string eventName, object? payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        Raise(instanceId, eventName, payload is null ? null : WorkflowJson.Serialize(payload));
        return Task.CompletedTask;
    }

    /// <summary>Starts again, from their stored input, the instances still marked running. Returns how many.</summary>
    public async Task<int> ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var record in await _store.ListRunningAsync(cancellationToken))
        {
            if (_registry.FindOrchestrator(record.Name) is null)
            {
                await _store.SaveFinishedAsync(record.InstanceId, InProcessInstanceStatus.Failed, null, $"no orchestrator named '{record.Name}' is registered", cancellationToken);
                continue;
            }

            var instance = new Instance(record.InstanceId, record.Name, record.InputJson, record.Generation);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
                if (!_running.TryAdd(record.InstanceId, instance))
                {
                    continue;
                }
            }

            LogResuming(_logger, record.InstanceId, record.Name, record.Generation);
            Launch(instance);
            count++;
        }

        return count;
    }

    /// <summary>The instance's final record once it completes or fails; the stored record when it is not running here.</summary>
    public async Task<InProcessInstanceRecord?> WaitForCompletionAsync(string instanceId, CancellationToken cancellationToken)
    {
        Instance? instance;
        lock (_gate)
        {
            _running.TryGetValue(instanceId, out instance);
        }

        return instance is null
            ? await _store.GetAsync(instanceId, cancellationToken)
            : await instance.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>What a running instance waits for; null when it is not running here.</summary>
    public InProcessInstanceState? GetState(string instanceId)
    {
        Instance? instance;
        lock (_gate)
        {
            _running.TryGetValue(instanceId, out instance);
        }

        var context = instance?.Context;
        if (instance is null)
        {
            return null;
        }

        var (timers, events) = context?.Pending() ?? ([], []);
        return new InProcessInstanceState(instance.Id, instance.Name, instance.Generation, timers, events, context?.CustomStatusJson);
    }

    /// <summary>
    /// Stops every instance where it is: their timers no longer fire and they start nothing new; they
    /// stay "running" in the table, for <see cref="ResumeUnfinishedAsync"/> at the next start.
    /// </summary>
    public async Task StopAsync()
    {
        Instance[] instances;
        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _stopping.Cancel();
            }

            instances = [.. _running.Values];
        }

        _stopped.TrySetResult();
        foreach (var instance in instances)
        {
            instance.Context?.Stop();
        }

        await Task.WhenAll(instances.Select(i => i.Run ?? Task.CompletedTask));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    internal void RaiseEventInBackground(string instanceId, string eventName, object? payload) =>
        Raise(instanceId, eventName, payload is null ? null : WorkflowJson.Serialize(payload));

    internal async Task<object?> RunActivityAsync(TaskName name, string instanceId, object? input, Type resultType, TaskOptions? options, CancellationToken stopping)
    {
        var type = _registry.FindActivity(name) ?? throw new InvalidOperationException($"No activity named '{name.Name}' is registered.");
        var inputJson = WorkflowJson.Serialize(input);
        var policy = options?.Retry?.Policy;
        var started = _time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            stopping.ThrowIfCancellationRequested();
            try
            {
                await using var scope = _services.CreateAsyncScope();
                var activity = (ITaskActivity)scope.ServiceProvider.GetRequiredService(type);
                var output = await activity.RunAsync(new InProcessActivityContext(name, instanceId), WorkflowJson.Deserialize(inputJson, activity.InputType));
                return WorkflowJson.Deserialize(WorkflowJson.Serialize(output), resultType);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && policy is not null && attempt < policy.MaxNumberOfAttempts
                && (policy.RetryTimeout == Timeout.InfiniteTimeSpan || _time.GetUtcNow() - started < policy.RetryTimeout))
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(
                    policy.FirstRetryInterval.TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, attempt - 1),
                    policy.MaxRetryInterval.TotalMilliseconds));
                LogActivityRetry(_logger, e, name.Name, instanceId, attempt, delay);
                await Task.Delay(delay, _time, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                throw new ActivityFailedException(name.Name, e);
            }
        }
    }

    private void Raise(string instanceId, string eventName, string? payloadJson)
    {
        Instance? instance;
        lock (_gate)
        {
            _running.TryGetValue(instanceId, out instance);
        }

        if (instance is null)
        {
            LogEventDropped(_logger, eventName, instanceId);
            return;
        }

        lock (instance.Gate)
        {
            if (instance.Context is { } context)
            {
                context.Deliver(eventName, payloadJson);
            }
            else
            {
                instance.Early.Add((eventName, payloadJson));
            }
        }
    }

    private void Launch(Instance instance) => instance.Run = Task.Run(() => RunInstanceAsync(instance));

    private async Task RunInstanceAsync(Instance instance)
    {
        IReadOnlyList<(string Name, string? Payload)> carried = [];
        try
        {
            while (true)
            {
                var type = _registry.FindOrchestrator(instance.Name) ?? throw new InvalidOperationException($"No orchestrator named '{instance.Name}' is registered.");
                var orchestrator = (ITaskOrchestrator)ActivatorUtilities.CreateInstance(_services, type);
                var input = WorkflowJson.Deserialize(instance.InputJson, orchestrator.InputType);
                InProcessOrchestrationContext context;
                lock (instance.Gate)
                {
                    context = new InProcessOrchestrationContext(
                        this, instance.Name, instance.Id, instance.Generation, input, [.. carried, .. instance.Early], _time, _loggerFactory, _stopping.Token);
                    instance.Early.Clear();
                    instance.Context = context;
                }

                if (_stopping.IsCancellationRequested)
                {
                    context.Stop();
                    return;
                }

                var run = orchestrator.RunAsync(context, input);
                if (await Task.WhenAny(run, _stopped.Task) != run)
                {
                    // Stopped: left running in the table, to be resumed from its input at the next start.
                    return;
                }

                object? output;
                try
                {
                    output = await run;
                }
                catch (Exception) when (_stopping.IsCancellationRequested)
                {
                    return;
                }

                if (context.ContinuedAsNew is { } next)
                {
                    lock (instance.Gate)
                    {
                        carried = next.PreserveEvents ? context.TakeUnclaimedEvents() : [];
                        instance.Context = null;
                        instance.InputJson = WorkflowJson.Serialize(next.Input);
                        instance.Generation++;
                    }

                    await _store.SaveRunningAsync(instance.Id, instance.Name, instance.InputJson, instance.Generation, CancellationToken.None);
                    LogContinuedAsNew(_logger, instance.Id, instance.Generation);
                    continue;
                }

                var outputJson = WorkflowJson.Serialize(output);
                await _store.SaveFinishedAsync(instance.Id, InProcessInstanceStatus.Completed, outputJson, null, CancellationToken.None);
                Finish(instance, InProcessInstanceStatus.Completed, outputJson, null);
                LogCompleted(_logger, instance.Id, instance.Name);
                return;
            }
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            LogFailed(_logger, e, instance.Id, instance.Name);
            var error = $"{e.GetType().Name}: {e.Message}";
            try
            {
                await _store.SaveFinishedAsync(instance.Id, InProcessInstanceStatus.Failed, null, error, CancellationToken.None);
            }
            catch (Exception storeError)
            {
                LogFailed(_logger, storeError, instance.Id, instance.Name);
            }

            Finish(instance, InProcessInstanceStatus.Failed, null, error);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the instance stays "running" in the table.
        }
        finally
        {
            Forget(instance);
        }
    }

    /// <summary>Leaves the running set first, so that whoever the completion wakes may start the id again.</summary>
    private void Finish(Instance instance, InProcessInstanceStatus status, string? outputJson, string? error)
    {
        Forget(instance);
        instance.Completion.TrySetResult(new InProcessInstanceRecord(instance.Id, instance.Name, instance.InputJson, instance.Generation, status, outputJson, error, _time.GetUtcNow()));
    }

    private void Forget(Instance instance)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(instance.Id, out var current) && current == instance)
            {
                _running.Remove(instance.Id);
            }
        }
    }

    [LoggerMessage(LogLevel.Debug, "Start of {InstanceId} ignored: it is already running")]
    private static partial void LogDuplicateStart(ILogger logger, string instanceId);

    [LoggerMessage(LogLevel.Information, "Resuming {InstanceId} ({Name}, generation {Generation}) from its stored input")]
    private static partial void LogResuming(ILogger logger, string instanceId, string name, int generation);

    [LoggerMessage(LogLevel.Debug, "Event {EventName} for {InstanceId} dropped: no such running instance")]
    private static partial void LogEventDropped(ILogger logger, string eventName, string instanceId);

    [LoggerMessage(LogLevel.Warning, "Activity {Activity} of {InstanceId} failed on attempt {Attempt}; retrying in {Delay}")]
    private static partial void LogActivityRetry(ILogger logger, Exception exception, string activity, string instanceId, int attempt, TimeSpan delay);

    [LoggerMessage(LogLevel.Debug, "{InstanceId} continued as new (generation {Generation})")]
    private static partial void LogContinuedAsNew(ILogger logger, string instanceId, int generation);

    [LoggerMessage(LogLevel.Information, "{InstanceId} ({Name}) completed")]
    private static partial void LogCompleted(ILogger logger, string instanceId, string name);

    [LoggerMessage(LogLevel.Error, "{InstanceId} ({Name}) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string instanceId, string name);

    private sealed class Instance(string id, string name, string inputJson, int generation)
    {
        public Lock Gate { get; } = new();

        public string Id { get; } = id;

        public string Name { get; set; } = name;

        public string InputJson { get; set; } = inputJson;

        public int Generation { get; set; } = generation;

        public InProcessOrchestrationContext? Context { get; set; }

        public List<(string Name, string? Payload)> Early { get; } = [];

        public TaskCompletionSource<InProcessInstanceRecord> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? Run { get; set; }
    }
}

internal sealed class InProcessActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}

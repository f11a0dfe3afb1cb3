using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace WaServerless.Workflows;

/// <summary>
/// What the hosts need of an orchestration engine: start an instance under a chosen id (a second
/// start of a running id is a no-op) and raise an event to it. Durable Functions behind
/// <see cref="DurableWorkflowClient"/>, over the same DurableTaskClient in both hosts (the Functions app
/// gets it from the [DurableClient] binding, the devhost from its local Durable Task engine).
/// </summary>
public interface IWorkflowClient
{
    /// <summary>Returns false when an instance with this id is already running (nothing is started).</summary>
    Task<bool> StartAsync(TaskName orchestrator, string instanceId, object input, CancellationToken cancellationToken);

    /// <summary>Delivers an event to the instance; dropped when there is no such running instance.</summary>
    Task RaiseEventAsync(string instanceId, string eventName, object? payload, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IWorkflowClient"/> over Durable Functions' client (the [DurableClient] binding). The
/// running-instance check and the start are two calls: set host.json
/// extensions.durableTask.overridableExistingInstanceStates to NonRunningStates so that two starts
/// racing past the check fail instead of replacing the running instance.
/// </summary>
public sealed class DurableWorkflowClient(DurableTaskClient client) : IWorkflowClient
{
    public async Task<bool> StartAsync(TaskName orchestrator, string instanceId, object input, CancellationToken cancellationToken)
    {
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
        {
            return false;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId), cancellationToken);
        return true;
    }

    public Task RaiseEventAsync(string instanceId, string eventName, object? payload, CancellationToken cancellationToken) =>
        client.RaiseEventAsync(instanceId, eventName, payload, cancellationToken);
}

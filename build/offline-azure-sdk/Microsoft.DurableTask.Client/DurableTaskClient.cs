using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.DurableTask.Internal;

namespace Microsoft.DurableTask.Client
{
    // Abstract/virtual modifiers follow the real 1.5.0 type, so a test fake that overrides the
    // abstract members compiles against both. Virtual overloads forward exactly as the real ones
    // do; the two members whose real base implementation throws NotSupportedException
    // (TerminateInstanceAsync with options, PurgeInstanceAsync with options) throw here as well.
    public abstract class DurableTaskClient : IOrchestrationSubmitter, IAsyncDisposable
    {
        protected DurableTaskClient(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName, CancellationToken cancellation)
            => ScheduleNewOrchestrationInstanceAsync(orchestratorName, null, null, cancellation);

        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName, object? input, CancellationToken cancellation)
            => ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, null, cancellation);

        public virtual Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName, StartOrchestrationOptions options, CancellationToken cancellation = default)
            => ScheduleNewOrchestrationInstanceAsync(orchestratorName, null, options, cancellation);

        public abstract Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName,
            object? input = null,
            StartOrchestrationOptions? options = null,
            CancellationToken cancellation = default);

        public virtual Task RaiseEventAsync(string instanceId, string eventName, CancellationToken cancellation)
            => RaiseEventAsync(instanceId, eventName, null, cancellation);

        public abstract Task RaiseEventAsync(
            string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default);

        public virtual Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, CancellationToken cancellation)
            => WaitForInstanceStartAsync(instanceId, false, cancellation);

        public abstract Task<OrchestrationMetadata> WaitForInstanceStartAsync(
            string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default);

        public virtual Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, CancellationToken cancellation)
            => WaitForInstanceCompletionAsync(instanceId, false, cancellation);

        public abstract Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(
            string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default);

        public virtual Task TerminateInstanceAsync(string instanceId, CancellationToken cancellation)
            => TerminateInstanceAsync(instanceId, (TerminateInstanceOptions?)null, cancellation);

        public virtual Task TerminateInstanceAsync(string instanceId, object? output, CancellationToken cancellation = default)
            => TerminateInstanceAsync(
                instanceId,
                output is null ? null : new TerminateInstanceOptions { Output = output },
                cancellation);

        public virtual Task TerminateInstanceAsync(
            string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
            => throw new NotSupportedException($"{GetType()} does not support orchestration termination.");

        public virtual Task SuspendInstanceAsync(string instanceId, CancellationToken cancellation)
            => SuspendInstanceAsync(instanceId, null, cancellation);

        public abstract Task SuspendInstanceAsync(
            string instanceId, string? reason = null, CancellationToken cancellation = default);

        public virtual Task ResumeInstanceAsync(string instanceId, CancellationToken cancellation)
            => ResumeInstanceAsync(instanceId, null, cancellation);

        public abstract Task ResumeInstanceAsync(
            string instanceId, string? reason = null, CancellationToken cancellation = default);

        public virtual Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, CancellationToken cancellation)
            => GetInstanceAsync(instanceId, false, cancellation);

        public virtual Task<OrchestrationMetadata?> GetInstanceAsync(
            string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
            => GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

        [EditorBrowsable(EditorBrowsableState.Never)]
        public virtual Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, CancellationToken cancellation)
            => GetInstancesAsync(instanceId, false, cancellation);

        [EditorBrowsable(EditorBrowsableState.Never)]
        public abstract Task<OrchestrationMetadata?> GetInstancesAsync(
            string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default);

        public abstract AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null);

        public virtual Task<PurgeResult> PurgeInstanceAsync(string instanceId, CancellationToken cancellation)
            => PurgeInstanceAsync(instanceId, null, cancellation);

        public virtual Task<PurgeResult> PurgeInstanceAsync(
            string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
            => throw new NotSupportedException($"{GetType()} does not support purging of orchestration instances.");

        public abstract ValueTask DisposeAsync();
    }
}

using System;
using System.Collections.Generic;

namespace Microsoft.DurableTask.Client
{
    public enum OrchestrationRuntimeStatus
    {
        Running,
        Completed,
        [Obsolete("The ContinuedAsNew status is obsolete and exists only for compatibility reasons.")]
        ContinuedAsNew,
        Failed,
        [Obsolete("The Canceled status is not currently used and exists only for compatibility reasons.")]
        Canceled,
        Terminated,
        Pending,
        Suspended,
    }

    public sealed class OrchestrationMetadata
    {
        public OrchestrationMetadata(string name, string instanceId)
        {
            Name = name;
            InstanceId = instanceId;
        }

        public string Name { get; }

        public string InstanceId { get; }

        public DataConverter? DataConverter { get; init; }

        public OrchestrationRuntimeStatus RuntimeStatus { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset LastUpdatedAt { get; init; }

        public string? SerializedInput { get; init; }

        public string? SerializedOutput { get; init; }

        public string? SerializedCustomStatus { get; init; }

        public bool IsRunning => RuntimeStatus == OrchestrationRuntimeStatus.Running;

        public bool IsCompleted => RuntimeStatus == OrchestrationRuntimeStatus.Completed
            || RuntimeStatus == OrchestrationRuntimeStatus.Failed
            || RuntimeStatus == OrchestrationRuntimeStatus.Terminated;

        public T? ReadInputAs<T>() => RequireConverter(nameof(ReadInputAs)).Deserialize<T>(SerializedInput);

        public T? ReadOutputAs<T>() => RequireConverter(nameof(ReadOutputAs)).Deserialize<T>(SerializedOutput);

        public T? ReadCustomStatusAs<T>() => RequireConverter(nameof(ReadCustomStatusAs)).Deserialize<T>(SerializedCustomStatus);

        private DataConverter RequireConverter(string method)
            => DataConverter ?? throw new InvalidOperationException(
                $"{method} can only be used on {nameof(OrchestrationMetadata)} objects fetched with inputs and outputs.");
    }

    public record OrchestrationQuery(
        DateTimeOffset? CreatedFrom = null,
        DateTimeOffset? CreatedTo = null,
        IEnumerable<OrchestrationRuntimeStatus>? Statuses = null,
        IEnumerable<string>? TaskHubNames = null,
        string? InstanceIdPrefix = null,
        int PageSize = OrchestrationQuery.DefaultPageSize,
        bool FetchInputsAndOutputs = false,
        string? ContinuationToken = null)
    {
        public const int DefaultPageSize = 100;
    }

    public record TerminateInstanceOptions(object? Output = null, bool Recursive = false);

    public record PurgeInstanceOptions(bool Recursive = false);

    public class PurgeResult
    {
        public PurgeResult(int count)
        {
            if (count < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "Count must be non-negative.");
            }

            PurgedInstanceCount = count;
        }

        public int PurgedInstanceCount { get; }
    }
}

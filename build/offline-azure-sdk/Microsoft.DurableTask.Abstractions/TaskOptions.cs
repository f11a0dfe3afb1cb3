using System;
using System.Threading;

namespace Microsoft.DurableTask
{
    public record TaskOptions
    {
        public TaskOptions(TaskRetryOptions? retry = null)
        {
            Retry = retry;
        }

        public TaskRetryOptions? Retry { get; init; }

        public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);

        public SubOrchestrationOptions WithInstanceId(string instanceId) => new(this, instanceId);
    }

    public record SubOrchestrationOptions : TaskOptions
    {
        public SubOrchestrationOptions(TaskRetryOptions? retry = null, string? instanceId = null)
            : base(retry)
        {
            InstanceId = instanceId;
        }

        public SubOrchestrationOptions(TaskOptions options, string? instanceId = null)
            : base(options)
        {
            InstanceId = instanceId ?? (options as SubOrchestrationOptions)?.InstanceId;
        }

        public string? InstanceId { get; init; }
    }

    public record StartOrchestrationOptions(string? InstanceId = null, DateTimeOffset? StartAt = null);

    public sealed class TaskRetryOptions
    {
        public TaskRetryOptions(RetryPolicy policy)
        {
            Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        }

        public RetryPolicy? Policy { get; }

        public static implicit operator TaskRetryOptions(RetryPolicy policy) => FromRetryPolicy(policy);

        public static TaskRetryOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
    }

    public class RetryPolicy
    {
        public RetryPolicy(
            int maxNumberOfAttempts,
            TimeSpan firstRetryInterval,
            double backoffCoefficient = 1.0,
            TimeSpan? maxRetryInterval = null,
            TimeSpan? retryTimeout = null)
        {
            if (maxNumberOfAttempts <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(maxNumberOfAttempts), maxNumberOfAttempts, "Must be greater than zero.");
            }

            if (firstRetryInterval <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(firstRetryInterval), firstRetryInterval, "Must be greater than zero.");
            }

            if (backoffCoefficient < 1.0)
            {
                throw new ArgumentOutOfRangeException(nameof(backoffCoefficient), backoffCoefficient, "Must be at least 1.0.");
            }

            MaxNumberOfAttempts = maxNumberOfAttempts;
            FirstRetryInterval = firstRetryInterval;
            BackoffCoefficient = backoffCoefficient;
            MaxRetryInterval = maxRetryInterval ?? TimeSpan.FromHours(1);
            RetryTimeout = retryTimeout ?? Timeout.InfiniteTimeSpan;
        }

        public int MaxNumberOfAttempts { get; }

        public TimeSpan FirstRetryInterval { get; }

        public double BackoffCoefficient { get; }

        public TimeSpan MaxRetryInterval { get; }

        public TimeSpan RetryTimeout { get; }
    }

    public record ParentOrchestrationInstance(TaskName Name, string InstanceId);
}

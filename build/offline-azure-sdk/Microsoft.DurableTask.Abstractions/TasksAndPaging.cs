using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.DurableTask
{
    public interface ITaskOrchestrator
    {
        Type InputType { get; }

        Type OutputType { get; }

        Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
    }

    public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
    {
        Type ITaskOrchestrator.InputType => typeof(TInput);

        Type ITaskOrchestrator.OutputType => typeof(TOutput);

        async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input)
        {
            if (input is not null && input is not TInput)
            {
                throw new ArgumentException($"Input type '{input.GetType()}' does not match expected type '{typeof(TInput)}'.");
            }

            return await RunAsync(context, input is TInput typed ? typed : default!);
        }

        public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);
    }

    public interface ITaskActivity
    {
        Type InputType { get; }

        Type OutputType { get; }

        Task<object?> RunAsync(TaskActivityContext context, object? input);
    }

    public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
    {
        Type ITaskActivity.InputType => typeof(TInput);

        Type ITaskActivity.OutputType => typeof(TOutput);

        async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input)
        {
            if (input is not null && input is not TInput)
            {
                throw new ArgumentException($"Input type '{input.GetType()}' does not match expected type '{typeof(TInput)}'.");
            }

            return await RunAsync(context, input is TInput typed ? typed : default!);
        }

        public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);
    }

    public abstract class TaskActivityContext
    {
        public abstract TaskName Name { get; }

        public abstract string InstanceId { get; }
    }

    public abstract class DataConverter
    {
        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull("value")]
        public abstract string? Serialize(object? value);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull("data")]
        public abstract object? Deserialize(string? data, Type targetType);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull("data")]
        public virtual T? Deserialize<T>(string? data) => (T?)(Deserialize(data, typeof(T)) ?? default(T));
    }

    public sealed class Page<T>
        where T : notnull
    {
        public Page(IReadOnlyList<T> values, string? continuationToken = null)
        {
            Values = values ?? throw new ArgumentNullException(nameof(values));
            ContinuationToken = continuationToken;
        }

        public IReadOnlyList<T> Values { get; }

        public string? ContinuationToken { get; }
    }

    public abstract class AsyncPageable<T> : IAsyncEnumerable<T>
        where T : notnull
    {
        public abstract IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = default, int? pageSizeHint = default);

        public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            await foreach (Page<T> page in AsPages().WithCancellation(cancellationToken))
            {
                foreach (T item in page.Values)
                {
                    yield return item;
                }
            }
        }
    }
}

namespace Microsoft.DurableTask.Internal
{
    public interface IOrchestrationSubmitter
    {
        Task<string> ScheduleNewOrchestrationInstanceAsync(
            TaskName orchestratorName,
            object? input = null,
            StartOrchestrationOptions? options = null,
            CancellationToken cancellation = default);
    }
}

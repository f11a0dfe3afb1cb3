using DurableRetryPolicy = Microsoft.DurableTask.RetryPolicy;
using TaskOptions = Microsoft.DurableTask.TaskOptions;

namespace WaServerless.Workflows;

/// <summary>
/// How activities are retried when they throw (a storage or queue hiccup): by the engine, with
/// backoff, before the orchestration sees a failure. Activities are idempotent, so a retry is harmless.
/// </summary>
public static class ActivityRetry
{
    public static TaskOptions Options { get; } =
        TaskOptions.FromRetryPolicy(new DurableRetryPolicy(5, TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));
}

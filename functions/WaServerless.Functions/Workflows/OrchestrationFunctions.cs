using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;

namespace WaServerless.Functions.Workflows;

/// <summary>
/// Durable Functions entry points for the orchestrators that live in WaServerless.Workflows. The
/// Durable source generator only sees classes in this project, so the wrappers are written by hand;
/// each function is named after its class, which is the TaskName the workflows schedule.
/// </summary>
public static class OrchestrationFunctions
{
    [Function(nameof(RetrySendOrchestrator))]
    public static Task<RetrySendOutcome> RetrySend([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RetrySendOrchestrator().RunAsync(context, context.GetInput<RetrySendInput>()!);
    }

    [Function(nameof(BulkCampaignOrchestrator))]
    public static Task<BulkCampaignOutcome> BulkCampaign([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new BulkCampaignOrchestrator().RunAsync(context, context.GetInput<BulkCampaignInput>()!);
    }
}

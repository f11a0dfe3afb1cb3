using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;

namespace WaServerless.Workflows;

/// <summary>Every orchestrator and activity class, each known by its class name.</summary>
public static class WorkflowTasks
{
    public static IReadOnlyList<Type> Orchestrators { get; } = [typeof(RetrySendOrchestrator), typeof(BulkCampaignOrchestrator)];

    public static IReadOnlyList<Type> Activities { get; } =
    [
        typeof(ScheduleRetryActivity),
        typeof(RequeueSendActivity),
        typeof(MarkRetryFailedActivity),
        typeof(LoadCampaignActivity),
        typeof(PrepareCampaignRecipientsActivity),
        typeof(ReleaseCampaignBatchActivity),
        typeof(SetCampaignStatusActivity),
    ];
}

using Microsoft.Azure.Functions.Worker;
using WaServerless.Core.Contracts;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;

namespace WaServerless.Functions.Workflows;

/// <summary>Durable activity entry points, one per activity class, each named after its class.</summary>
public sealed class ActivityFunctions(
    ScheduleRetryActivity scheduleRetry,
    RequeueSendActivity requeueSend,
    MarkRetryFailedActivity markRetryFailed,
    LoadCampaignActivity loadCampaign,
    PrepareCampaignRecipientsActivity prepareCampaignRecipients,
    ReleaseCampaignBatchActivity releaseCampaignBatch,
    SetCampaignStatusActivity setCampaignStatus)
{
    [Function(nameof(ScheduleRetryActivity))]
    public Task<RetryCheck> ScheduleRetry([ActivityTrigger] RetryScheduleRequest input, CancellationToken cancellationToken) =>
        scheduleRetry.ExecuteAsync(input, cancellationToken);

    [Function(nameof(RequeueSendActivity))]
    public Task<RetryCheck> RequeueSend([ActivityTrigger] SendCommand input, CancellationToken cancellationToken) =>
        requeueSend.ExecuteAsync(input, cancellationToken);

    [Function(nameof(MarkRetryFailedActivity))]
    public Task<bool> MarkRetryFailed([ActivityTrigger] RetryFailRequest input, CancellationToken cancellationToken) =>
        markRetryFailed.ExecuteAsync(input, cancellationToken);

    [Function(nameof(LoadCampaignActivity))]
    public Task<CampaignSnapshot> LoadCampaign([ActivityTrigger] CampaignRef input, CancellationToken cancellationToken) =>
        loadCampaign.ExecuteAsync(input, cancellationToken);

    [Function(nameof(PrepareCampaignRecipientsActivity))]
    public Task<CampaignPrepareResult> PrepareCampaignRecipients([ActivityTrigger] CampaignPrepareRequest input, CancellationToken cancellationToken) =>
        prepareCampaignRecipients.ExecuteAsync(input, cancellationToken);

    [Function(nameof(ReleaseCampaignBatchActivity))]
    public Task<CampaignReleaseResult> ReleaseCampaignBatch([ActivityTrigger] CampaignReleaseRequest input, CancellationToken cancellationToken) =>
        releaseCampaignBatch.ExecuteAsync(input, cancellationToken);

    [Function(nameof(SetCampaignStatusActivity))]
    public Task<CampaignStatus> SetCampaignStatus([ActivityTrigger] CampaignStatusRequest input, CancellationToken cancellationToken) =>
        setCampaignStatus.ExecuteAsync(input, cancellationToken);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Messages;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;

namespace WaServerless.Workflows.Signals;

/// <summary>
/// Where the hosts hand over to the workflows, the same in both: the Functions app (its
/// delivery-events trigger and HTTP functions, with a <see cref="DurableWorkflowClient"/>) and the
/// devhost (its events loop and handlers, with the same adapter over its local engine). It decides which
/// orchestration to start or which event to raise; the orchestrations do the rest.
/// </summary>
public sealed partial class WorkflowDispatcher(
    MessageStore messages,
    CampaignStore campaigns,
    SessionWaiters waiters,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowDispatcher> logger)
{
    /// <summary>
    /// For every DeliveryEvent. A transient failure of a message still in flight starts its RetrySend
    /// (a duplicate event finds it running: no-op); a rate limit or a lost session also throttles
    /// the campaigns sending through that session.
    /// </summary>
    public async Task OnDeliveryEventAsync(IWorkflowClient client, DeliveryEvent deliveryEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        if (deliveryEvent.Failure != FailureKind.Transient || deliveryEvent.Status is not (MessageStatus.Sending or MessageStatus.Queued))
        {
            return;
        }

        var cause = TransientCauses.Classify(deliveryEvent.Reason);
        var stored = await messages.GetAsync(deliveryEvent.AccountId, deliveryEvent.MessageId, cancellationToken);
        if (stored is not null)
        {
            var command = stored.ToCommand(Math.Max(1, deliveryEvent.Attempt), deliveryEvent.TraceParent);
            var input = RetrySendInput.Create(command, deliveryEvent.Reason, cause == TransientCause.SessionDisconnected, options.Value.RetrySettings);
            var started = await client.StartAsync(RetrySendOrchestrator.Name, RetrySendOrchestrator.InstanceIdFor(command.MessageId), input, cancellationToken);
            LogRetry(logger, command.MessageId, command.Attempt, started);
        }

        if (cause is TransientCause.RateLimited or TransientCause.SessionDisconnected)
        {
            var throttle = new CampaignThrottle(cause == TransientCause.RateLimited ? ThrottleCause.RateLimited : ThrottleCause.SessionDisconnected, null, deliveryEvent.Reason);
            await ThrottleCampaignsAsync(client, deliveryEvent.AccountId, deliveryEvent.SessionKey, throttle, cancellationToken);
        }
    }

    /// <summary>The session is back: every retry and campaign waiting for it hears so. Returns how many were told.</summary>
    public async Task<int> OnSessionConnectedAsync(IWorkflowClient client, string accountId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instances = await waiters.ListAsync(accountId, sessionId, cancellationToken);
        foreach (var instanceId in instances)
        {
            await client.RaiseEventAsync(instanceId, WorkflowEvents.SessionConnected, new WorkflowSignal("session reconnected"), cancellationToken);
            await waiters.RemoveAsync(accountId, sessionId, instanceId, cancellationToken);
        }

        return instances.Count;
    }

    /// <summary>Slows down (rate limited) or pauses (session lost) the running campaigns of one session.</summary>
    public async Task ThrottleCampaignsAsync(IWorkflowClient client, string accountId, string sessionId, CampaignThrottle throttle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        foreach (var campaign in await campaigns.ListActiveAsync(accountId, sessionId, cancellationToken))
        {
            await client.RaiseEventAsync(BulkCampaignOrchestrator.InstanceIdFor(campaign.CampaignId), WorkflowEvents.Throttle, throttle, cancellationToken);
        }
    }

    /// <summary>
    /// The message was cancelled (its status already moved to cancelled): its waiting retry stops.
    /// False when the account has no such message.
    /// </summary>
    public async Task<bool> CancelMessageRetryAsync(IWorkflowClient client, string accountId, string messageId, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await messages.GetAsync(accountId, messageId, cancellationToken) is null)
        {
            return false;
        }

        await client.RaiseEventAsync(RetrySendOrchestrator.InstanceIdFor(messageId), WorkflowEvents.Cancel, new WorkflowSignal(reason), cancellationToken);
        return true;
    }

    /// <summary>Starts the campaign's orchestration once <see cref="CampaignStore.AddAsync"/> stored it (its first phase writes the recipient rows); returns its instance id.</summary>
    public async Task<string> StartCampaignAsync(IWorkflowClient client, string accountId, string campaignId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instanceId = BulkCampaignOrchestrator.InstanceIdFor(campaignId);
        var input = new BulkCampaignInput { AccountId = accountId, CampaignId = campaignId, Settings = options.Value.CampaignRunSettings };
        await client.StartAsync(BulkCampaignOrchestrator.Name, instanceId, input, cancellationToken);
        return instanceId;
    }

    /// <summary>
    /// Pause, Resume and Cancel for a campaign of the account. The stored status changes first, then
    /// the event wakes the orchestration: were the event lost, the next release (or, while paused, the
    /// hourly re-read) still honours the status. False when the account has no such campaign, or it
    /// has ended (or, for pause and resume, is not running or paused).
    /// </summary>
    public Task<bool> PauseCampaignAsync(IWorkflowClient client, string accountId, string campaignId, string? reason, CancellationToken cancellationToken) =>
        ControlAsync(client, accountId, campaignId, CampaignStatus.Paused, reason ?? CampaignReasons.PausedByRequest, WorkflowEvents.Pause, c => c.Status.IsActive(), cancellationToken);

    public Task<bool> ResumeCampaignAsync(IWorkflowClient client, string accountId, string campaignId, string? reason, CancellationToken cancellationToken) =>
        ControlAsync(client, accountId, campaignId, CampaignStatus.Running, reason, WorkflowEvents.Resume, c => c.Status.IsActive(), cancellationToken);

    public Task<bool> CancelCampaignAsync(IWorkflowClient client, string accountId, string campaignId, string? reason, CancellationToken cancellationToken) =>
        ControlAsync(client, accountId, campaignId, CampaignStatus.Cancelled, reason ?? CampaignReasons.CancelledByRequest, WorkflowEvents.Cancel, c => !c.Status.IsFinal(), cancellationToken);

    private async Task<bool> ControlAsync(
        IWorkflowClient client,
        string accountId,
        string campaignId,
        CampaignStatus status,
        string? reason,
        string eventName,
        Func<CampaignRecord, bool> applies,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var campaign = await campaigns.GetAsync(accountId, campaignId, cancellationToken);
        if (campaign is null || !applies(campaign))
        {
            return false;
        }

        await campaigns.SetStatusAsync(accountId, campaignId, status, reason, cancellationToken);
        await client.RaiseEventAsync(BulkCampaignOrchestrator.InstanceIdFor(campaignId), eventName, new WorkflowSignal(reason), cancellationToken);
        return true;
    }

    [LoggerMessage(LogLevel.Information, "Retry of {MessageId} after attempt {Attempt}: started {Started}")]
    private static partial void LogRetry(ILogger logger, string messageId, int attempt, bool started);
}

using Microsoft.DurableTask;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows.Campaigns;

/// <summary>Reads the campaign's status, spacing and progress at the start of each generation.</summary>
public sealed class LoadCampaignActivity(CampaignStore campaigns) : TaskActivity<CampaignRef, CampaignSnapshot>
{
    public override Task<CampaignSnapshot> RunAsync(TaskActivityContext context, CampaignRef input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<CampaignSnapshot> ExecuteAsync(CampaignRef input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var campaign = await campaigns.GetAsync(input.AccountId, input.CampaignId, cancellationToken);
        if (campaign is null)
        {
            return CampaignSnapshot.Missing;
        }

        var progress = await campaigns.GetProgressAsync(input.CampaignId, cancellationToken);
        return new CampaignSnapshot(true, campaign.Status, campaign.StatusReason, campaign.SessionKey, campaign.Total, progress?.NextIndex ?? 0, campaign.Spacing, progress?.LastReleaseAt);
    }
}

/// <summary>
/// Releases one batch: the pending recipients from FromIndex, one per slot, through the accept path
/// in one <see cref="ICampaignSendAcceptor.AcceptBatchAsync"/> call (each message scheduled on the
/// queue at its slot), then settles them and advances the progress in one transaction. Idempotent:
/// a recipient already settled is passed over, and the accept path replays the message of a
/// recipient accepted by an earlier run whose settling was lost.
/// </summary>
public sealed class ReleaseCampaignBatchActivity(CampaignStore campaigns, ICampaignSendAcceptor acceptor) : TaskActivity<CampaignReleaseRequest, CampaignReleaseResult>
{
    public override Task<CampaignReleaseResult> RunAsync(TaskActivityContext context, CampaignReleaseRequest input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<CampaignReleaseResult> ExecuteAsync(CampaignReleaseRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(input.Slots.Count, CampaignStore.MaxReleasesPerBatch);
        var campaign = await campaigns.GetAsync(input.AccountId, input.CampaignId, cancellationToken);
        if (campaign is null || campaign.Status.IsFinal() || campaign.Status == CampaignStatus.Preparing)
        {
            return new CampaignReleaseResult(input.FromIndex, 0, 0, new CampaignHalt(CampaignHaltKind.Stopped, campaign is null ? "campaign not found" : $"campaign is {campaign.Status.ToWire()}"));
        }

        if (campaign.Status == CampaignStatus.Paused)
        {
            // Paused in the store (the API writes the status before it raises the event): release nothing.
            return new CampaignReleaseResult(input.FromIndex, 0, 0, new CampaignHalt(CampaignHaltKind.Paused, campaign.StatusReason ?? CampaignReasons.PausedByRequest));
        }

        var recipients = await campaigns.GetRecipientsAsync(input.CampaignId, input.FromIndex, input.Slots.Count, cancellationToken);

        // The unbroken run from FromIndex; its pending recipients go to the acceptor as one batch.
        var run = 0;
        while (run < recipients.Count && recipients[run].Index == input.FromIndex + run)
        {
            run++;
        }

        var pending = recipients.Take(run)
            .Where(r => r.Status == RecipientReleaseStatus.Pending)
            .Select(r => new CampaignSendItem(r, input.Slots[r.Index - input.FromIndex]))
            .ToList();
        var outcomes = await acceptor.AcceptBatchAsync(campaign, pending, cancellationToken);
        var releases = new List<RecipientRelease>(outcomes.Count);
        var next = input.FromIndex + run;
        CampaignHalt? halt = null;
        for (var i = 0; i < outcomes.Count; i++)
        {
            var index = pending[i].Recipient.Index;
            if (outcomes[i] is CampaignSendOutcome.Halted halted)
            {
                halt = halted.Halt;
                next = index;
                break;
            }

            releases.Add(outcomes[i] switch
            {
                CampaignSendOutcome.Accepted a => new RecipientRelease(index, RecipientReleaseStatus.Released, a.MessageId, null),
                CampaignSendOutcome.Skipped skipped => new RecipientRelease(index, RecipientReleaseStatus.Skipped, null, skipped.Reason),
                _ => throw new InvalidOperationException($"Unexpected outcome {outcomes[i].GetType().Name}."),
            });
        }

        if (halt is null && outcomes.Count != pending.Count)
        {
            throw new InvalidOperationException($"The acceptor answered {outcomes.Count} of {pending.Count} recipients without a halt.");
        }

        if (halt is null && next < input.FromIndex + input.Slots.Count && next < campaign.Total)
        {
            throw new InvalidOperationException($"Campaign {input.CampaignId} lacks recipient {next} of {campaign.Total}.");
        }

        var settled = next - input.FromIndex;
        await campaigns.RecordReleasesAsync(input.CampaignId, releases, next, settled > 0 ? input.Slots[settled - 1] : null, cancellationToken);
        return new CampaignReleaseResult(
            next,
            releases.Count(r => r.Status == RecipientReleaseStatus.Released),
            releases.Count(r => r.Status == RecipientReleaseStatus.Skipped),
            halt);
    }
}

/// <summary>
/// Moves the campaign to a status (the rules refuse leaving cancelled or completed) and returns the
/// stored status after it; registers the instance as a session waiter when asked. Idempotent.
/// </summary>
public sealed class SetCampaignStatusActivity(CampaignStore campaigns, SessionWaiters waiters) : TaskActivity<CampaignStatusRequest, CampaignStatus>
{
    public override Task<CampaignStatus> RunAsync(TaskActivityContext context, CampaignStatusRequest input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<CampaignStatus> ExecuteAsync(CampaignStatusRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (record, _) = await campaigns.SetStatusAsync(input.AccountId, input.CampaignId, input.Status, input.Reason, cancellationToken);
        if (record is null)
        {
            return CampaignStatus.Cancelled;
        }

        if (input.WaitForSessionInstanceId is { } instanceId && record.Status == CampaignStatus.Paused)
        {
            await waiters.AddAsync(input.AccountId, record.SessionKey, instanceId, cancellationToken);
        }

        return record.Status;
    }
}

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using WaServerless.Storage.Campaigns;

namespace WaServerless.Workflows.Campaigns;

/// <summary>
/// One bounded step of a campaign's preparation: the next chunk of recipient rows from the
/// campaign's recipient list blob (read from the stored byte offset), then, once every row is
/// written, the progress row and the move to running. Restart-safe and idempotent: the rows written
/// and the offset are stored with each chunk, so a rerun goes on where the last finished one ended;
/// rows are merged without a status, so writing one again never undoes a release; a campaign no
/// longer preparing (cancelled meanwhile, or prepared by an earlier run) is left as it is. A list
/// that is missing, unreadable or shorter than the campaign cancels the campaign with the reason:
/// retrying would not help.
/// </summary>
public sealed partial class PrepareCampaignRecipientsActivity(
    CampaignStore campaigns,
    CampaignRecipientListStore lists,
    ILogger<PrepareCampaignRecipientsActivity> logger) : TaskActivity<CampaignPrepareRequest, CampaignPrepareResult>
{
    public override Task<CampaignPrepareResult> RunAsync(TaskActivityContext context, CampaignPrepareRequest input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<CampaignPrepareResult> ExecuteAsync(CampaignPrepareRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(input.ChunkSize);
        var campaign = await campaigns.GetAsync(input.AccountId, input.CampaignId, cancellationToken);
        if (campaign is null)
        {
            return CampaignPrepareResult.Missing;
        }

        if (campaign.Status != CampaignStatus.Preparing)
        {
            return Result(campaign, campaign.Total);
        }

        var state = await campaigns.GetPreparationAsync(campaign.CampaignId, cancellationToken);
        if (state.Written < campaign.Total)
        {
            RecipientListChunk? chunk;
            try
            {
                chunk = await lists.ReadAsync(campaign.AccountId, campaign.CampaignId, state.NextOffset, Math.Min(input.ChunkSize, campaign.Total - state.Written), cancellationToken);
            }
            catch (InvalidDataException)
            {
                return await StopAsync(campaign, state.Written, "the recipient list is unreadable", cancellationToken);
            }

            if (chunk is null)
            {
                return await StopAsync(campaign, state.Written, "the recipient list is missing", cancellationToken);
            }

            if (chunk.Recipients.Count == 0)
            {
                return await StopAsync(campaign, state.Written, $"the recipient list holds {state.Written} of the campaign's {campaign.Total} recipients", cancellationToken);
            }

            state = await campaigns.WriteRecipientsAsync(campaign.CampaignId, state.Written, chunk.Recipients, chunk.NextOffset, cancellationToken);
            LogChunk(logger, campaign.CampaignId, state.Written, campaign.Total);
        }

        if (state.Written < campaign.Total)
        {
            return Result(campaign, state.Written);
        }

        var prepared = await campaigns.CompletePreparationAsync(campaign.AccountId, campaign.CampaignId, cancellationToken);
        return prepared is null ? CampaignPrepareResult.Missing : Result(prepared, prepared.Total);
    }

    private async Task<CampaignPrepareResult> StopAsync(CampaignRecord campaign, int written, string reason, CancellationToken cancellationToken)
    {
        LogStopped(logger, campaign.CampaignId, reason);
        var (record, _) = await campaigns.SetStatusAsync(campaign.AccountId, campaign.CampaignId, CampaignStatus.Cancelled, reason, cancellationToken);
        return record is null ? CampaignPrepareResult.Missing : Result(record, written);
    }

    private static CampaignPrepareResult Result(CampaignRecord campaign, int prepared) =>
        new(true, campaign.Status, prepared, campaign.Total, campaign.StatusReason);

    [LoggerMessage(LogLevel.Debug, "Campaign {CampaignId}: {Written} of {Total} recipient rows written")]
    private static partial void LogChunk(ILogger logger, string campaignId, int written, int total);

    [LoggerMessage(LogLevel.Warning, "Campaign {CampaignId} cancelled while preparing: {Reason}")]
    private static partial void LogStopped(ILogger logger, string campaignId, string reason);
}

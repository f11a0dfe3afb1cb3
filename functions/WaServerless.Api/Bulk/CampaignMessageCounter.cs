using Azure.Data.Tables;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;
using WaServerless.Workflows.Campaigns;

namespace WaServerless.Api.Bulk;

/// <summary>How many of a campaign's released messages are in each status now.</summary>
public sealed record CampaignMessageCounts(int Queued, int Sent, int Delivered, int Read, int Failed, int Cancelled);

/// <summary>
/// Counts a campaign's messages by status. Each released recipient became a message under the
/// idempotency key "campaign:{id}:{index}" (<see cref="MessageStoreCampaignSendAcceptor"/>), so this
/// reads the account's message rows accepted since the campaign was created (row keys are
/// time-ordered), filtered to that key prefix, the Status column only. Its cost grows with the
/// account's messages in the campaign's lifetime: a per-campaign counter kept by the status
/// recorder would make it one read.
/// </summary>
public sealed class CampaignMessageCounter(StorageClients clients, TimeProvider time)
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private TableClient Messages => clients.Table(TableNames.Messages);

    public async Task<CampaignMessageCounts> CountAsync(CampaignRecord campaign, CampaignProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (progress is null || progress.Released == 0)
        {
            return new CampaignMessageCounts(0, 0, 0, 0, 0, 0);
        }

        // Newest first in the table: the lower row key is the latest accept time a message can have.
        var latest = campaign.Status.IsFinal() ? Min(progress.UpdatedAt, time.GetUtcNow()) : time.GetUtcNow();
        var lower = RowKeyPrefixAt(latest + Skew);
        var upper = RowKeyPrefixAt(campaign.CreatedAt - Skew) + "`";
        var prefix = MessageStoreCampaignSendAcceptor.IdempotencyKeyFor(campaign.CampaignId, 0)[..^1];
        var prefixEnd = prefix[..^1] + (char)(prefix[^1] + 1);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {campaign.AccountId} and RowKey ge {lower} and RowKey lt {upper} and IdempotencyKey ge {prefix} and IdempotencyKey lt {prefixEnd}");

        int queued = 0, sent = 0, delivered = 0, read = 0, failed = 0, cancelled = 0;
        await foreach (var row in Messages.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Status"], cancellationToken: cancellationToken))
        {
            if (!MessageStatusRules.TryParse(row.GetString("Status") ?? string.Empty, out var status))
            {
                continue;
            }

            switch (status)
            {
                case MessageStatus.Scheduled or MessageStatus.Queued or MessageStatus.Sending:
                    queued++;
                    break;
                case MessageStatus.Sent:
                    sent++;
                    break;
                case MessageStatus.Delivered:
                    sent++;
                    delivered++;
                    break;
                case MessageStatus.Read:
                    sent++;
                    delivered++;
                    read++;
                    break;
                case MessageStatus.Failed:
                    failed++;
                    break;
                case MessageStatus.Cancelled:
                    cancelled++;
                    break;
            }
        }

        return new CampaignMessageCounts(queued, sent, delivered, read, failed, cancelled);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>"m_" and the inverted time of a message row key accepted at <paramref name="at"/>.</summary>
    private static string RowKeyPrefixAt(DateTimeOffset at)
    {
        var clamped = at < DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : at;
        var key = MessageStore.MessageRowKey(MessageIds.New(new FixedTime(clamped)));
        return key[..key.IndexOf('_', 2)];
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

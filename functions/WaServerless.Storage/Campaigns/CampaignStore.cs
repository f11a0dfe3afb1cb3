using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Campaigns;

/// <summary>
/// Bulk campaigns in two tables. "campaigns": one row per campaign, partitioned by account (RowKey
/// the campaign id), holding what to send, how to space it and its status. "campaignrecipients":
/// one partition per campaign, a row per recipient ("r_{index:D7}") and one "progress" row, so that
/// marking a batch of recipients released and counting them is one entity-group transaction: a
/// batch released twice (an activity run again) is counted once.
/// </summary>
public sealed class CampaignStore(StorageClients clients, TimeProvider time)
{
    /// <summary>Logical table names; <see cref="StorageClients.Name"/> adds the deployment's prefix.</summary>
    public const string CampaignsTable = "campaigns";

    public const string RecipientsTable = "campaignrecipients";

    /// <summary>Recipient indexes are 7 digits in the row key.</summary>
    public const int MaxRecipients = 9_999_999;

    /// <summary>Recipients one <see cref="RecordReleasesAsync"/> call may settle: a transaction holds 100 entities, one is the progress row.</summary>
    public const int MaxReleasesPerBatch = 99;

    private const int MaxConcurrencyRetries = 32;
    private const int TransactionSize = 100;
    private const string ProgressRowKey = "progress";

    public static IReadOnlyList<string> Tables { get; } = [CampaignsTable, RecipientsTable];

    private TableClient Campaigns => clients.Table(CampaignsTable);

    private TableClient Recipients => clients.Table(RecipientsTable);

    public static string NewId() => "cmp_" + RandomNumberGenerator.GetHexString(20, lowercase: true);

    /// <summary>Creates the two tables if they do not exist yet.</summary>
    public async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            await clients.Table(table).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stores a campaign and its recipients, then marks it running. Safe to call again with the same
    /// campaign id after a failure part-way: a campaign still being created is completed, one already
    /// created is returned as it is.
    /// </summary>
    public async Task<CampaignRecord> CreateAsync(CampaignRecord campaign, IReadOnlyList<CampaignRecipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentOutOfRangeException.ThrowIfZero(recipients.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recipients.Count, MaxRecipients);

        var now = time.GetUtcNow();
        var creating = campaign with { Total = recipients.Count, Status = CampaignStatus.Creating, StatusReason = null, CreatedAt = now, UpdatedAt = now };
        try
        {
            await Campaigns.AddEntityAsync(ToEntity(creating), cancellationToken);
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            var existing = await GetAsync(campaign.AccountId, campaign.CampaignId, cancellationToken);
            if (existing is null || existing.Status != CampaignStatus.Creating)
            {
                return existing ?? throw new InvalidOperationException($"Campaign {campaign.CampaignId} vanished while it was created.");
            }
        }

        for (var start = 0; start < recipients.Count; start += TransactionSize)
        {
            var actions = new List<TableTransactionAction>(TransactionSize);
            for (var i = start; i < Math.Min(start + TransactionSize, recipients.Count); i++)
            {
                var r = recipients[i];
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(campaign.CampaignId, RecipientRowKey(i))
                {
                    ["Recipient"] = r.Recipient,
                    ["Variables"] = r.Variables is null ? null : JsonSerializer.Serialize(r.Variables, WireJson.Options),
                    ["Status"] = RecipientReleaseStatus.Pending.ToString(),
                }));
            }

            await Recipients.SubmitTransactionAsync(actions, cancellationToken);
        }

        await Recipients.UpsertEntityAsync(ProgressEntity(campaign.CampaignId, new CampaignProgress(0, 0, 0, null, now)), TableUpdateMode.Replace, cancellationToken);
        var (record, _) = await SetStatusAsync(campaign.AccountId, campaign.CampaignId, CampaignStatus.Running, null, cancellationToken);
        return record ?? throw new InvalidOperationException($"Campaign {campaign.CampaignId} vanished while it was created.");
    }

    public async Task<CampaignRecord?> GetAsync(string accountId, string campaignId, CancellationToken cancellationToken)
    {
        var response = await Campaigns.GetEntityIfExistsAsync<TableEntity>(accountId, campaignId, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>The account's campaigns, newest first.</summary>
    public async Task<IReadOnlyList<CampaignRecord>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var items = new List<CampaignRecord>();
        await foreach (var e in Campaigns.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(e));
        }

        return [.. items.OrderByDescending(c => c.CreatedAt)];
    }

    /// <summary>Running and paused campaigns that send through one WhatsApp session of the account.</summary>
    public async Task<IReadOnlyList<CampaignRecord>> ListActiveAsync(string accountId, string sessionId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and SessionId eq {sessionId} and (Status eq {CampaignStatus.Running.ToWire()} or Status eq {CampaignStatus.Paused.ToWire()})");
        var items = new List<CampaignRecord>();
        await foreach (var e in Campaigns.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(e));
        }

        return items;
    }

    /// <summary>
    /// Moves a campaign to a new status if the rules allow (cancelled and completed are final).
    /// Returns the stored record after the attempt and whether it changed anything.
    /// </summary>
    public async Task<(CampaignRecord? Record, bool Changed)> SetStatusAsync(string accountId, string campaignId, CampaignStatus status, string? reason, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var response = await Campaigns.GetEntityIfExistsAsync<TableEntity>(accountId, campaignId, cancellationToken: cancellationToken);
            if (!response.HasValue)
            {
                return (null, false);
            }

            var entity = response.Value!;
            var current = FromEntity(entity);
            if (!current.Status.CanMoveTo(status))
            {
                return (current, false);
            }

            entity["Status"] = status.ToWire();
            entity["StatusReason"] = reason;
            entity["UpdatedAt"] = time.GetUtcNow();
            try
            {
                await Campaigns.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return (FromEntity(entity), true);
            }
            catch (RequestFailedException e) when (e.IsPreconditionFailed())
            {
                // Another status change raced this one; read again and decide again.
            }
        }

        throw new RequestFailedException(503, $"Campaign {campaignId} stayed contended.");
    }

    public async Task<CampaignProgress?> GetProgressAsync(string campaignId, CancellationToken cancellationToken)
    {
        var response = await Recipients.GetEntityIfExistsAsync<TableEntity>(campaignId, ProgressRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? ProgressFrom(response.Value!) : null;
    }

    /// <summary>Recipients [<paramref name="fromIndex"/>, <paramref name="fromIndex"/> + <paramref name="count"/>), in order.</summary>
    public async Task<IReadOnlyList<CampaignRecipientRecord>> GetRecipientsAsync(string campaignId, int fromIndex, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var items = new List<CampaignRecipientRecord>(count);
        if (count == 0)
        {
            return items;
        }

        await foreach (var e in QueryRecipientsAsync(campaignId, fromIndex, fromIndex + count, cancellationToken))
        {
            items.Add(RecipientFrom(e));
        }

        return items;
    }

    /// <summary>
    /// Settles recipients of one batch and advances the progress row, in one transaction: only a
    /// recipient still pending changes and is counted, so settling the same batch again changes
    /// nothing. Neither <paramref name="nextIndex"/> nor <paramref name="lastReleaseAt"/> ever moves the progress backwards.
    /// </summary>
    public async Task<CampaignProgress> RecordReleasesAsync(
        string campaignId,
        IReadOnlyList<RecipientRelease> releases,
        int nextIndex,
        DateTimeOffset? lastReleaseAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(releases);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(releases.Count, MaxReleasesPerBatch);
        if (releases.Any(r => r.Status == RecipientReleaseStatus.Pending))
        {
            throw new ArgumentException("A release settles a recipient: released or skipped, not pending.", nameof(releases));
        }

        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var progressResponse = await Recipients.GetEntityIfExistsAsync<TableEntity>(campaignId, ProgressRowKey, cancellationToken: cancellationToken);
            if (!progressResponse.HasValue)
            {
                throw new InvalidOperationException($"Campaign {campaignId} has no progress row: it was never created.");
            }

            var progressEntity = progressResponse.Value!;
            var progress = ProgressFrom(progressEntity);
            var rows = new Dictionary<int, TableEntity>();
            if (releases.Count > 0)
            {
                await foreach (var e in QueryRecipientsAsync(campaignId, releases.Min(r => r.Index), releases.Max(r => r.Index) + 1, cancellationToken))
                {
                    rows[IndexOf(e.RowKey)] = e;
                }
            }

            var actions = new List<TableTransactionAction>();
            int released = 0, skipped = 0;
            foreach (var release in releases)
            {
                if (!rows.TryGetValue(release.Index, out var row) || RecipientFrom(row).Status != RecipientReleaseStatus.Pending)
                {
                    continue;
                }

                row["Status"] = release.Status.ToString();
                row["MessageId"] = release.MessageId;
                row["Reason"] = release.Reason;
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
                if (release.Status == RecipientReleaseStatus.Released)
                {
                    released++;
                }
                else
                {
                    skipped++;
                }
            }

            var last = progress.LastReleaseAt is { } stored && (lastReleaseAt is null || stored >= lastReleaseAt) ? stored : lastReleaseAt;
            if (actions.Count == 0 && nextIndex <= progress.NextIndex && last == progress.LastReleaseAt)
            {
                return progress;
            }

            var next = new CampaignProgress(Math.Max(progress.NextIndex, nextIndex), progress.Released + released, progress.Skipped + skipped, last, time.GetUtcNow());
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, ProgressEntity(campaignId, next), progressEntity.ETag));
            try
            {
                await Recipients.SubmitTransactionAsync(actions, cancellationToken);
                return next;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // The same batch was settled concurrently (an activity run twice); read again.
            }
        }

        throw new RequestFailedException(503, $"Campaign {campaignId} progress stayed contended.");
    }

    private IAsyncEnumerable<TableEntity> QueryRecipientsAsync(string campaignId, int fromIndex, int toIndexExclusive, CancellationToken cancellationToken) =>
        Recipients.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {campaignId} and RowKey ge {RecipientRowKey(fromIndex)} and RowKey lt {RecipientRowKey(toIndexExclusive)}"),
            cancellationToken: cancellationToken);

    private static string RecipientRowKey(int index) => "r_" + index.ToString("D7", CultureInfo.InvariantCulture);

    private static int IndexOf(string rowKey) => int.Parse(rowKey.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(CampaignRecord c) => new(c.AccountId, c.CampaignId)
    {
        ["KeyId"] = c.KeyId,
        ["SessionId"] = c.SessionId,
        ["Name"] = c.Name,
        ["Content"] = JsonSerializer.Serialize(c.Content, WireJson.Options),
        ["Priority"] = c.Priority,
        ["IntervalMs"] = (long)c.Spacing.Interval.TotalMilliseconds,
        ["Jitter"] = c.Spacing.Jitter,
        ["WindowStart"] = c.Spacing.WindowStart?.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        ["WindowEnd"] = c.Spacing.WindowEnd?.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        ["TimeZone"] = c.Spacing.TimeZone,
        ["Total"] = c.Total,
        ["Status"] = c.Status.ToWire(),
        ["StatusReason"] = c.StatusReason,
        ["CreatedAt"] = c.CreatedAt,
        ["UpdatedAt"] = c.UpdatedAt,
    };

    private static CampaignRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("KeyId") ?? string.Empty,
        e.GetString("SessionId") ?? "default",
        e.GetString("Name") ?? e.RowKey,
        JsonSerializer.Deserialize<MessageContent>(e.GetString("Content") ?? "{}", WireJson.Options)!,
        e.GetInt32("Priority") ?? 7,
        new CampaignSpacing(
            TimeSpan.FromMilliseconds(e.GetInt64("IntervalMs") ?? 0),
            e.GetDouble("Jitter") ?? 0,
            ParseTime(e.GetString("WindowStart")),
            ParseTime(e.GetString("WindowEnd")),
            e.GetString("TimeZone") ?? "UTC"),
        e.GetInt32("Total") ?? 0,
        CampaignStatusRules.TryParse(e.GetString("Status"), out var status) ? status : CampaignStatus.Creating,
        e.GetString("StatusReason"),
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);

    private static TimeOnly? ParseTime(string? value) =>
        value is null ? null : TimeOnly.ParseExact(value, "HH:mm:ss", CultureInfo.InvariantCulture);

    private static TableEntity ProgressEntity(string campaignId, CampaignProgress p) => new(campaignId, ProgressRowKey)
    {
        ["NextIndex"] = p.NextIndex,
        ["Released"] = p.Released,
        ["Skipped"] = p.Skipped,
        ["LastReleaseAt"] = p.LastReleaseAt,
        ["UpdatedAt"] = p.UpdatedAt,
    };

    private static CampaignProgress ProgressFrom(TableEntity e) => new(
        e.GetInt32("NextIndex") ?? 0,
        e.GetInt32("Released") ?? 0,
        e.GetInt32("Skipped") ?? 0,
        e.GetDateTimeOffset("LastReleaseAt"),
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);

    private static CampaignRecipientRecord RecipientFrom(TableEntity e) => new(
        IndexOf(e.RowKey),
        e.GetString("Recipient") ?? string.Empty,
        e.GetString("Variables") is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json, WireJson.Options) : null,
        Enum.TryParse<RecipientReleaseStatus>(e.GetString("Status"), out var status) ? status : RecipientReleaseStatus.Pending,
        e.GetString("MessageId"),
        e.GetString("Reason"));
}

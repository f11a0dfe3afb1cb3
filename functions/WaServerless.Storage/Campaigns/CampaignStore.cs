using WaServerless.Core.Bulk;
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
/// one partition per campaign, a row per recipient ("r_{index:D7}"), one "progress" row, so that
/// marking a batch of recipients released and counting them is one entity-group transaction (a
/// batch released twice, an activity run again, is counted once), and one "prepared" row: how many
/// recipient rows the preparation wrote from the campaign's recipient list.
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
    private const int ParallelTransactions = 4;
    private const string ProgressRowKey = "progress";
    private const string PreparationRowKey = "prepared";

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
    /// Stores a campaign and its recipients, then marks it running: <see cref="AddAsync"/>,
    /// <see cref="WriteRecipientsAsync"/> and <see cref="CompletePreparationAsync"/> in one call, for
    /// callers that hold the whole list. Safe to call again with the same campaign id after a failure
    /// part-way: a campaign still preparing is completed, one already prepared is returned as it is.
    /// </summary>
    public async Task<CampaignRecord> CreateAsync(CampaignRecord campaign, IReadOnlyList<CampaignRecipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentOutOfRangeException.ThrowIfZero(recipients.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recipients.Count, MaxRecipients);

        var (stored, _) = await AddAsync(campaign with { Total = recipients.Count }, cancellationToken);
        if (stored.Status != CampaignStatus.Preparing)
        {
            return stored;
        }

        await WriteRecipientsAsync(campaign.CampaignId, 0, recipients, 0, cancellationToken);
        return await CompletePreparationAsync(campaign.AccountId, campaign.CampaignId, cancellationToken)
            ?? throw new InvalidOperationException($"Campaign {campaign.CampaignId} vanished while it was created.");
    }

    /// <summary>
    /// Stores the campaign row alone, status preparing, with no recipient rows yet (the orchestration
    /// writes them). Returns the stored campaign and whether this call created it: when the id exists
    /// already, the existing campaign, unchanged.
    /// </summary>
    public async Task<(CampaignRecord Record, bool Created)> AddAsync(CampaignRecord campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentOutOfRangeException.ThrowIfLessThan(campaign.Total, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(campaign.Total, MaxRecipients);

        var now = time.GetUtcNow();
        var preparing = campaign with { Status = CampaignStatus.Preparing, StatusReason = null, CreatedAt = now, UpdatedAt = now };
        try
        {
            await Campaigns.AddEntityAsync(ToEntity(preparing), cancellationToken);
            return (preparing, true);
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            var existing = await GetAsync(campaign.AccountId, campaign.CampaignId, cancellationToken);
            return (existing ?? throw new InvalidOperationException($"Campaign {campaign.CampaignId} vanished while it was created."), false);
        }
    }

    /// <summary>How many recipient rows of a preparing campaign are written, and where its recipient list goes on.</summary>
    public async Task<CampaignPreparation> GetPreparationAsync(string campaignId, CancellationToken cancellationToken)
    {
        var response = await Recipients.GetEntityIfExistsAsync<TableEntity>(campaignId, PreparationRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? PreparationFrom(response.Value!) : CampaignPreparation.None;
    }

    /// <summary>
    /// Writes recipient rows [<paramref name="fromIndex"/>, <paramref name="fromIndex"/> + count) in
    /// transactions of 100, then records that they are written and the list's
    /// <paramref name="nextOffset"/>. Idempotent: rows are merged without a status, so writing them
    /// again never undoes a release, and the recorded count never moves backwards.
    /// </summary>
    public async Task<CampaignPreparation> WriteRecipientsAsync(string campaignId, int fromIndex, IReadOnlyList<CampaignRecipient> recipients, long nextOffset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentOutOfRangeException.ThrowIfNegative(fromIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromIndex + recipients.Count, MaxRecipients);

        // Transactions of one partition may run side by side: they touch different rows.
        var starts = Enumerable.Range(0, (recipients.Count + TransactionSize - 1) / TransactionSize).Select(t => t * TransactionSize);
        await Parallel.ForEachAsync(
            starts,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelTransactions, CancellationToken = cancellationToken },
            async (start, ct) =>
            {
                var rows = new List<TableEntity>(TransactionSize);
                for (var i = start; i < Math.Min(start + TransactionSize, recipients.Count); i++)
                {
                    var r = recipients[i];
                    var entity = new TableEntity(campaignId, RecipientRowKey(fromIndex + i)) { ["Recipient"] = r.Recipient };
                    if (r.Variables is not null)
                    {
                        entity["Variables"] = JsonSerializer.Serialize(r.Variables, WireJson.Options);
                    }

                    rows.Add(entity);
                }

                try
                {
                    // Inserts: the usual case, and (unlike upserts) not slower as Azurite's table grows.
                    await Recipients.SubmitTransactionAsync(rows.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)), ct);
                }
                catch (TableTransactionFailedException e) when (e.Status == 409)
                {
                    // Written before (a rerun after a restart): merge, which keeps each row's release status.
                    await Recipients.SubmitTransactionAsync(rows.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertMerge, row)), ct);
                }
            });

        var written = new CampaignPreparation(fromIndex + recipients.Count, nextOffset);
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var response = await Recipients.GetEntityIfExistsAsync<TableEntity>(campaignId, PreparationRowKey, cancellationToken: cancellationToken);
            var stored = response.HasValue ? PreparationFrom(response.Value!) : null;
            if (stored is not null && stored.Written >= written.Written)
            {
                return stored;
            }

            var entity = new TableEntity(campaignId, PreparationRowKey) { ["Written"] = written.Written, ["NextOffset"] = written.NextOffset, ["UpdatedAt"] = time.GetUtcNow() };
            try
            {
                if (stored is null)
                {
                    await Recipients.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await Recipients.UpdateEntityAsync(entity, response.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return written;
            }
            catch (RequestFailedException e) when (e.IsConflict() || e.IsPreconditionFailed())
            {
                // A duplicate run recorded its chunk meanwhile; read again and keep the further one.
            }
        }

        throw new RequestFailedException(503, $"Campaign {campaignId} preparation stayed contended.");
    }

    /// <summary>
    /// Every recipient row is written: creates the (empty) progress row and moves the campaign from
    /// preparing to running. Idempotent; a campaign cancelled meanwhile stays cancelled. Returns the
    /// stored campaign, or null when it is gone.
    /// </summary>
    public async Task<CampaignRecord?> CompletePreparationAsync(string accountId, string campaignId, CancellationToken cancellationToken)
    {
        try
        {
            await Recipients.AddEntityAsync(ProgressEntity(campaignId, new CampaignProgress(0, 0, 0, null, time.GetUtcNow())), cancellationToken);
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            // Completed before (a repeated run): releases may have moved it on; keep it.
        }

        var (record, _) = await SetStatusAsync(accountId, campaignId, CampaignStatus.Running, null, cancellationToken);
        return record;
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
        ["SessionId"] = c.SessionKey,
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
        CampaignStatusRules.TryParse(e.GetString("Status"), out var status) ? status : CampaignStatus.Preparing,
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

    private static CampaignPreparation PreparationFrom(TableEntity e) => new(e.GetInt32("Written") ?? 0, e.GetInt64("NextOffset") ?? 0);

    private static CampaignRecipientRecord RecipientFrom(TableEntity e) => new(
        IndexOf(e.RowKey),
        e.GetString("Recipient") ?? string.Empty,
        e.GetString("Variables") is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json, WireJson.Options) : null,
        Enum.TryParse<RecipientReleaseStatus>(e.GetString("Status"), out var status) ? status : RecipientReleaseStatus.Pending,
        e.GetString("MessageId"),
        e.GetString("Reason"));
}

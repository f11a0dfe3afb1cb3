using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Messages;

public abstract record AcceptResult
{
    private AcceptResult()
    {
    }

    /// <summary>Stored: message row, outbox row, idempotency row and quota, all in one transaction.</summary>
    public sealed record Accepted(MessageRecord Message, StoredResponse Response) : AcceptResult;

    /// <summary>The idempotency key was seen within the window with the same request: its first response.</summary>
    public sealed record Replayed(StoredResponse Response) : AcceptResult;

    /// <summary>The idempotency key was seen within the window with a different request.</summary>
    public sealed record IdempotencyMismatch : AcceptResult;

    public sealed record QuotaExceeded(long MonthlyQuota) : AcceptResult;

    /// <summary>The key's submissions per minute are used up until the minute turns.</summary>
    public sealed record RateLimited(int Limit, TimeSpan RetryAfter) : AcceptResult;

    public sealed record RecipientDailyCapReached(int Cap, TimeSpan RetryAfter) : AcceptResult;

    public sealed record OtpCooldown(TimeSpan RetryAfter) : AcceptResult;
}

/// <summary>
/// Messages, their idempotency records, the outbox and the monthly usage counter, all in the
/// messages table partitioned by account, so that accepting a message is one entity-group
/// transaction: either the message exists, is counted, is remembered under its idempotency key and
/// is due to be enqueued, or none of these happened.
/// Row keys: "m_{inverted ms}_{id}" messages (newest first), "i_{hash}" idempotency,
/// "o_{id}" outbox, "u_{yyyy-MM}" usage.
/// </summary>
public sealed class MessageStore(StorageClients clients, TimeProvider time, IOptions<MessageStoreOptions> options)
{
    private const int MaxConcurrencyRetries = 32;
    private const long MaxMs = 9_999_999_999_999;

    private TableClient Table => clients.Table(TableNames.Messages);

    public async Task<AcceptResult> AcceptAsync(
        Caller caller,
        SendLimits limits,
        SendRequest request,
        SendCommand command,
        Func<MessageRecord, long, StoredResponse> respond,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(respond);

        var account = caller.Account;
        var now = command.AcceptedAt;
        var fingerprint = request.Fingerprint();
        var idempotencyRowKey = request.IdempotencyKey is null ? null : IdempotencyRowKey(caller.KeyId, request.IdempotencyKey);
        var usageRowKey = "u_" + now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var minuteRowKey = "r_" + caller.KeyId;
        var minute = now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        var recipientRowKey = "p_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Recipient)))[..32];

        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            // The four rows are read at once (one round trip of latency, not four); they are judged in
            // order below. Idempotency first: a repeat of an accepted request gets its response even
            // when a limit is now reached.
            var idempotencyRead = idempotencyRowKey is null ? Task.FromResult<TableEntity?>(null) : GetRowAsync(account.Id, idempotencyRowKey, cancellationToken);
            var minuteRead = GetRowAsync(account.Id, minuteRowKey, cancellationToken);
            var usageRead = GetRowAsync(account.Id, usageRowKey, cancellationToken);
            var recipientRead = GetRowAsync(account.Id, recipientRowKey, cancellationToken);
            await Task.WhenAll(idempotencyRead, minuteRead, usageRead, recipientRead);

            ETag? expiredIdempotencyEtag = null;
            if (idempotencyRowKey is not null)
            {
                if (await idempotencyRead is { } row)
                {
                    if (row.GetDateTimeOffset("ExpiresAt") > now)
                    {
                        return row.GetString("Fingerprint") == fingerprint
                            ? new AcceptResult.Replayed(new StoredResponse(row.GetInt32("ResponseStatus") ?? 202, row.GetString("ResponseBody") ?? "{}"))
                            : new AcceptResult.IdempotencyMismatch();
                    }

                    expiredIdempotencyEtag = row.ETag;
                }
            }

            var minuteRow = await minuteRead;
            var usedThisMinute = minuteRow?.GetString("Minute") == minute ? minuteRow.GetInt32("Count") ?? 0 : 0;
            if (usedThisMinute >= limits.SubmissionsPerMinute)
            {
                var nextMinute = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour).AddMinutes(now.UtcDateTime.Minute + 1), TimeSpan.Zero);
                return new AcceptResult.RateLimited(limits.SubmissionsPerMinute, nextMinute - now);
            }

            var usage = await usageRead;
            var used = usage?.GetInt64("Count") ?? 0;
            if (used >= limits.MonthlyQuota)
            {
                return new AcceptResult.QuotaExceeded(limits.MonthlyQuota);
            }

            var recipientRow = await recipientRead;
            var recipientState = recipientRow is null
                ? RecipientState.None
                : new RecipientState(recipientRow.GetDateTimeOffset("LastAt"), recipientRow.GetString("Day"), recipientRow.GetInt32("DayCount") ?? 0, recipientRow.GetDateTimeOffset("LastOtpAt"));
            DateTimeOffset? scheduledFor;
            RecipientState nextRecipientState;
            switch (RecipientRules.Evaluate(recipientState, request.Priority, limits, now))
            {
                case RecipientDecision.DailyCapReached cap:
                    return new AcceptResult.RecipientDailyCapReached(cap.Cap, cap.RetryAfter);
                case RecipientDecision.OtpCooldown cooldown:
                    return new AcceptResult.OtpCooldown(cooldown.RetryAfter);
                case RecipientDecision.Accept accept:
                    scheduledFor = accept.ScheduledFor;
                    nextRecipientState = accept.Next;
                    break;
                default:
                    throw new InvalidOperationException("unreachable");
            }

            var status = scheduledFor is null ? MessageStatus.Queued : MessageStatus.Scheduled;
            var record = new MessageRecord(
                command.MessageId,
                account.Id,
                caller.KeyId,
                command.SessionKey,
                request.Recipient,
                request.Content,
                request.Priority,
                status,
                [new StatusChange(status, now, 0, scheduledFor is { } at ? $"inside the recipient gap; sends at {at:O}" : null)],
                0,
                null,
                null,
                now,
                now,
                request.IdempotencyKey,
                scheduledFor);
            var response = respond(record, limits.MonthlyQuota == long.MaxValue ? long.MaxValue : limits.MonthlyQuota - used - 1);

            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, ToEntity(record)),
                new(TableTransactionActionType.Add, new TableEntity(account.Id, OutboxRowKey(record.MessageId))
                {
                    ["MessageId"] = record.MessageId,
                    ["Command"] = JsonSerializer.Serialize(command, WireJson.Options),
                    ["CreatedAt"] = now,
                    ["NotBefore"] = scheduledFor,
                }),
                Counter(usage, new TableEntity(account.Id, usageRowKey) { ["Count"] = used + 1 }),
                Counter(minuteRow, new TableEntity(account.Id, minuteRowKey) { ["Minute"] = minute, ["Count"] = usedThisMinute + 1 }),
                Counter(recipientRow, new TableEntity(account.Id, recipientRowKey)
                {
                    ["LastAt"] = nextRecipientState.LastAt,
                    ["Day"] = nextRecipientState.Day,
                    ["DayCount"] = nextRecipientState.DayCount,
                    ["LastOtpAt"] = nextRecipientState.LastOtpAt,
                }),
            };

            if (idempotencyRowKey is not null)
            {
                var idempotency = new TableEntity(account.Id, idempotencyRowKey)
                {
                    ["KeyId"] = caller.KeyId,
                    ["Fingerprint"] = fingerprint,
                    ["MessageId"] = record.MessageId,
                    ["ResponseStatus"] = response.Status,
                    ["ResponseBody"] = response.Body,
                    ["ExpiresAt"] = now + options.Value.IdempotencyWindow,
                };
                actions.Add(expiredIdempotencyEtag is { } etag
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, idempotency, etag)
                    : new TableTransactionAction(TableTransactionActionType.Add, idempotency));
            }

            try
            {
                await Table.SubmitTransactionAsync(actions, cancellationToken);
                return new AcceptResult.Accepted(record, response);
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // Another request won a race for a counter or the idempotency key: read again and decide again.
            }
        }

        throw new RequestFailedException(503, "The account is too busy: its counters stayed contended; try again.");
    }

    /// <summary>Add when the counter row is new, else replace it only if nobody changed it since it was read.</summary>
    private static TableTransactionAction Counter(TableEntity? existing, TableEntity next) =>
        existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, next)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, existing.ETag);

    private async Task<TableEntity?> GetRowAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    public async Task<MessageRecord?> GetAsync(string accountId, string messageId, CancellationToken cancellationToken)
    {
        if (!MessageIds.IsValid(messageId))
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, MessageRowKey(messageId), cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Counts an account's messages accepted between <paramref name="from"/> and <paramref name="to"/>
    /// whose idempotency key starts with <paramref name="idempotencyKeyPrefix"/> (a campaign's
    /// messages: "campaign:{id}:"), by status. Row keys are time-ordered, so only that span of the
    /// account's rows is read, the Status column alone; the cost grows with the account's messages
    /// in the span.
    /// </summary>
    public async Task<MessageStatusCounts> CountByIdempotencyPrefixAsync(string accountId, string idempotencyKeyPrefix, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKeyPrefix);
        var lower = "m_" + Inverted(Math.Max(0, to.ToUnixTimeMilliseconds()));
        var upper = "m_" + Inverted(Math.Max(0, from.ToUnixTimeMilliseconds())) + "`";
        var prefixEnd = idempotencyKeyPrefix[..^1] + (char)(idempotencyKeyPrefix[^1] + 1);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {lower} and RowKey lt {upper} and IdempotencyKey ge {idempotencyKeyPrefix} and IdempotencyKey lt {prefixEnd}");

        int queued = 0, sent = 0, delivered = 0, read = 0, failed = 0, cancelled = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Status"], cancellationToken: cancellationToken))
        {
            if (!MessageStatusRules.TryParse(row.GetString("Status") ?? string.Empty, out var status))
            {
                continue;
            }

            // Each count says how many got at least that far: a read message was also sent and delivered.
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

        return new MessageStatusCounts(queued, sent, delivered, read, failed, cancelled);
    }

    /// <summary>Newest first; cursor is opaque to the caller (the table's continuation token).</summary>
    public async Task<MessagePage> ListAsync(string accountId, MessageQuery query, int limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var lower = query.To is { } to ? "m_" + Inverted(to.ToUnixTimeMilliseconds()) : "m_";
        var upper = query.From is { } from ? "m_" + Inverted(from.ToUnixTimeMilliseconds()) + "`" : "m`";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey ge {lower} and RowKey lt {upper}");
        if (query.Status is { } status)
        {
            filter += TableClient.CreateQueryFilter($" and Status eq {status.ToWire()}");
        }

        if (query.Recipient is { } recipient)
        {
            filter += TableClient.CreateQueryFilter($" and Recipient eq {recipient}");
        }

        var items = new List<MessageRecord>();
        var token = cursor;
        await foreach (var page in Table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken).AsPages(token, limit))
        {
            items.AddRange(page.Values.Select(FromEntity));
            token = page.ContinuationToken;
            if (items.Count > 0 || token is null)
            {
                break;
            }
        }

        return new MessagePage(items, token);
    }

    /// <summary>
    /// Moves a message to a new status if the rules allow (status only moves forward) and appends it
    /// to the history. Returns the stored record after the attempt, and whether it changed anything:
    /// a duplicate or late receipt changes nothing.
    /// </summary>
    public async Task<(MessageRecord? Record, bool Changed)> TryAdvanceAsync(string accountId, string messageId, StatusUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, MessageRowKey(messageId), cancellationToken: cancellationToken);
            if (!response.HasValue)
            {
                return (null, false);
            }

            var entity = response.Value!;
            var current = FromEntity(entity);
            if (!current.Status.CanMoveTo(update.Status))
            {
                return (current, false);
            }

            var attemptNumber = update.Attempt ?? current.Attempts;
            var history = current.History.Append(new StatusChange(update.Status, update.At, attemptNumber, update.Detail)).ToList();
            entity["Status"] = update.Status.ToWire();
            entity["History"] = JsonSerializer.Serialize(history, WireJson.Options);
            entity["Attempts"] = Math.Max(current.Attempts, attemptNumber);
            entity["UpdatedAt"] = update.At;
            if (update.EngineMessageId is not null)
            {
                entity["EngineMessageId"] = update.EngineMessageId;
            }

            if (update.FailureReason is not null)
            {
                entity["FailureReason"] = update.FailureReason;
            }

            try
            {
                await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return (FromEntity(entity), true);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // A receipt and a status change raced; read again.
            }
        }

        throw new RequestFailedException(503, $"Message {messageId} stayed contended.");
    }

    /// <summary>
    /// Sends a failed message again: the same message, queued once more as its next attempt, its
    /// history kept and its failure reason cleared, with an outbox row in the same transaction so
    /// that an enqueue that does not happen is swept. Any other status changes nothing and comes
    /// back as it is (Resent false); an unknown message is null.
    /// </summary>
    public async Task<(MessageRecord? Record, SendCommand? Command)> ResendAsync(string accountId, string messageId, string? traceParent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, MessageRowKey(messageId), cancellationToken: cancellationToken);
            if (!response.HasValue)
            {
                return (null, null);
            }

            var entity = response.Value!;
            var current = FromEntity(entity);
            if (current.Status != MessageStatus.Failed)
            {
                return (current, null);
            }

            var now = time.GetUtcNow();
            var next = current.Attempts + 1;
            var history = current.History.Append(new StatusChange(MessageStatus.Queued, now, next, "resent by the caller")).ToList();
            entity["Status"] = MessageStatus.Queued.ToWire();
            entity["History"] = JsonSerializer.Serialize(history, WireJson.Options);
            entity["Attempts"] = next;
            entity["UpdatedAt"] = now;
            entity.Remove("FailureReason");
            var command = current.ToCommand(next, traceParent);
            try
            {
                await Table.SubmitTransactionAsync(
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, entity.ETag),
                        new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(accountId, OutboxRowKey(messageId))
                        {
                            ["MessageId"] = messageId,
                            ["Command"] = JsonSerializer.Serialize(command, WireJson.Options),
                            ["CreatedAt"] = now,
                            ["NotBefore"] = (DateTimeOffset?)null,
                        }),
                    ],
                    cancellationToken);
                return (FromEntity(entity), command);
            }
            catch (TableTransactionFailedException e) when (e.Status == 412)
            {
                // A late receipt raced the resend; read again.
            }
        }

        throw new RequestFailedException(503, $"Message {messageId} stayed contended.");
    }

    /// <summary>The command's enqueue happened: the outbox row is no longer needed.</summary>
    public async Task CompleteOutboxAsync(string accountId, string messageId, CancellationToken cancellationToken)
    {
        await Table.DeleteEntityAsync(accountId, OutboxRowKey(messageId), ETag.All, cancellationToken);
    }

    /// <summary>Outbox rows older than the grace period: accepted messages whose enqueue may never have happened.</summary>
    public async IAsyncEnumerable<OutboxEntry> GetStaleOutboxAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OutboxGracePeriod;
        var filter = TableClient.CreateQueryFilter($"RowKey ge {"o_"} and RowKey lt {"o`"} and CreatedAt lt {cutoff}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var json = row.GetString("Command");
            if (json is not null && JsonSerializer.Deserialize<SendCommand>(json, WireJson.Options) is { } command)
            {
                yield return new OutboxEntry(command, row.GetDateTimeOffset("NotBefore"));
            }
        }
    }

    public static string MessageRowKey(string messageId) =>
        "m_" + Inverted(MessageIds.TimeOf(messageId).ToUnixTimeMilliseconds()) + "_" + messageId;

    private static string OutboxRowKey(string messageId) => "o_" + messageId;

    private static string IdempotencyRowKey(string keyId, string idempotencyKey) =>
        "i_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyId + "\n" + idempotencyKey)));

    private static string Inverted(long ms) => (MaxMs - ms).ToString("D13", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(MessageRecord m) => new(m.AccountId, MessageRowKey(m.MessageId))
    {
        ["MessageId"] = m.MessageId,
        ["KeyId"] = m.KeyId,
        ["SessionId"] = m.SessionKey,
        ["Recipient"] = m.Recipient,
        ["MessageType"] = m.Content.Type.ToWire(),
        ["Content"] = JsonSerializer.Serialize(m.Content, WireJson.Options),
        ["Priority"] = m.Priority.Value,
        ["Status"] = m.Status.ToWire(),
        ["History"] = JsonSerializer.Serialize(m.History, WireJson.Options),
        ["Attempts"] = m.Attempts,
        ["EngineMessageId"] = m.EngineMessageId,
        ["FailureReason"] = m.FailureReason,
        ["AcceptedAt"] = m.AcceptedAt,
        ["UpdatedAt"] = m.UpdatedAt,
        ["IdempotencyKey"] = m.IdempotencyKey,
        ["ScheduledFor"] = m.ScheduledFor,
    };

    private static MessageRecord FromEntity(TableEntity e) => new(
        e.GetString("MessageId")!,
        e.PartitionKey,
        e.GetString("KeyId") ?? string.Empty,
        e.GetString("SessionId") ?? "default",
        e.GetString("Recipient") ?? string.Empty,
        JsonSerializer.Deserialize<MessageContent>(e.GetString("Content") ?? "{}", WireJson.Options)!,
        Priority.FromValue(e.GetInt32("Priority") ?? Priority.Normal.Value),
        MessageStatusRules.TryParse(e.GetString("Status") ?? string.Empty, out var status) ? status : MessageStatus.Queued,
        JsonSerializer.Deserialize<List<StatusChange>>(e.GetString("History") ?? "[]", WireJson.Options) ?? [],
        e.GetInt32("Attempts") ?? 0,
        e.GetString("EngineMessageId"),
        e.GetString("FailureReason"),
        e.GetDateTimeOffset("AcceptedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        e.GetString("IdempotencyKey"),
        e.GetDateTimeOffset("ScheduledFor"));
}

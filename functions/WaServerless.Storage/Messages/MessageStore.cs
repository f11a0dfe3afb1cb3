using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Core.Consent;
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

    /// <summary>Stored: message row, outbox row, idempotency row and recipient state, all in one transaction.</summary>
    public sealed record Accepted(MessageRecord Message, StoredResponse Response) : AcceptResult;

    /// <summary>The idempotency key was seen within the window with the same request: its first response.</summary>
    public sealed record Replayed(StoredResponse Response) : AcceptResult;

    /// <summary>The idempotency key was seen within the window with a different request.</summary>
    public sealed record IdempotencyMismatch : AcceptResult;

    public sealed record QuotaExceeded(long MonthlyQuota) : AcceptResult;

    /// <summary>The key's submissions per minute are used up until the minute turns.</summary>
    public sealed record RateLimited(int Limit, TimeSpan RetryAfter) : AcceptResult;

    public sealed record RecipientDailyCapReached(int Cap, TimeSpan RetryAfter) : AcceptResult;

    /// <summary>The account's messages for the UTC day (its plan's DailyMessages) are used up until midnight.</summary>
    public sealed record DailyLimitReached(long Limit, TimeSpan RetryAfter) : AcceptResult;

    public sealed record OtpCooldown(TimeSpan RetryAfter) : AcceptResult;

    /// <summary>The recipient sent a stop word.</summary>
    public sealed record RecipientOptedOut : AcceptResult;

    /// <summary>The plan requires opt-in and the recipient has not opted in.</summary>
    public sealed record RecipientNotOptedIn : AcceptResult;
}

/// <summary>
/// Messages, their idempotency records, the outbox, the recipients' send state and the counted
/// limits, all in the messages table partitioned by account, so that accepting a message is one
/// entity-group transaction: either the message exists, is remembered under its idempotency key, is
/// due to be enqueued and is in its recipient's state, or none of these happened. The counted limits
/// are units leased in blocks (<see cref="AllowanceLeases"/>), taken before the transaction and
/// handed back when it does not commit.
/// The hot path is one transaction: nothing is read first unless a row turns out not to be as this
/// instance last left it.
/// Row keys: "m_{inverted ms}_{id}" messages (newest first), "i_{hash}" idempotency,
/// "o_{id}" outbox, "p_{hash}" recipient state, "u_{yyyy-MM}" the month's granted quota,
/// "r_{key id}" the key's granted submissions this minute.
/// </summary>
public sealed class MessageStore(StorageClients clients, TimeProvider time, IOptions<MessageStoreOptions> options, AllowanceLeases leases)
{
    private const int MaxConcurrencyRetries = 32;

    /// <summary>What this instance last wrote for each recipient, with the row's ETag, so its next send there needs no read.</summary>
    private readonly ConcurrentDictionary<(string AccountId, string RowKey), (RecipientState State, ETag? ETag)> _recipients = new();
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
        var month = now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var usageRowKey = "u_" + month;
        var minuteRowKey = "r_" + caller.KeyId;
        var minute = now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        var recipientRowKey = RecipientRowKey(request.Recipient);

        // The counted limits come from this instance's leased blocks (no shared row rewritten per send).
        // A refusal first checks the idempotency row: a repeat of an accepted request gets its response
        // even when a limit is now reached.
        // Both taken at once: when a block runs out, its refill costs one round trip of latency, not two.
        // A plan without a daily limit counts nothing for it: no row, no round trip.
        var day = now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var dayRowKey = "d_" + day;
        var counted = limits.DailyMessages != long.MaxValue;
        var rateTake = leases.TakeAsync(account.Id, minuteRowKey, minute, limits.SubmissionsPerMinute, cancellationToken).AsTask();
        var quotaTake = leases.TakeAsync(account.Id, usageRowKey, month, limits.MonthlyQuota, cancellationToken).AsTask();
        var dayTake = counted ? leases.TakeAsync(account.Id, dayRowKey, day, limits.DailyMessages, cancellationToken).AsTask() : Task.FromResult(new AllowanceUnit(true, long.MaxValue));
        void ReturnDay()
        {
            if (counted)
            {
                leases.Return(account.Id, dayRowKey, day);
            }
        }

        try
        {
            await Task.WhenAll(rateTake, quotaTake, dayTake);
        }
        catch
        {
            if (rateTake.IsCompletedSuccessfully && rateTake.Result.Granted)
            {
                leases.Return(account.Id, minuteRowKey, minute);
            }

            if (quotaTake.IsCompletedSuccessfully && quotaTake.Result.Granted)
            {
                leases.Return(account.Id, usageRowKey, month);
            }

            if (dayTake.IsCompletedSuccessfully && dayTake.Result.Granted)
            {
                ReturnDay();
            }

            throw;
        }

        var (rate, quota, daily) = (rateTake.Result, quotaTake.Result, dayTake.Result);
        if (!daily.Granted)
        {
            if (rate.Granted)
            {
                leases.Return(account.Id, minuteRowKey, minute);
            }

            if (quota.Granted)
            {
                leases.Return(account.Id, usageRowKey, month);
            }

            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return await ReplayOrAsync(account.Id, idempotencyRowKey, fingerprint, now, new AcceptResult.DailyLimitReached(limits.DailyMessages, midnight - now), cancellationToken);
        }

        if (!rate.Granted)
        {
            ReturnDay();
            if (quota.Granted)
            {
                leases.Return(account.Id, usageRowKey, month);
            }

            var nextMinute = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour).AddMinutes(now.UtcDateTime.Minute + 1), TimeSpan.Zero);
            return await ReplayOrAsync(account.Id, idempotencyRowKey, fingerprint, now, new AcceptResult.RateLimited(limits.SubmissionsPerMinute, nextMinute - now), cancellationToken);
        }

        if (!quota.Granted)
        {
            leases.Return(account.Id, minuteRowKey, minute);
            ReturnDay();
            return await ReplayOrAsync(account.Id, idempotencyRowKey, fingerprint, now, new AcceptResult.QuotaExceeded(limits.MonthlyQuota), cancellationToken);
        }

        void GiveBack()
        {
            leases.Return(account.Id, minuteRowKey, minute);
            leases.Return(account.Id, usageRowKey, month);
            ReturnDay();
        }

        // Written without reading first: the idempotency row is insert-only (its conflict is the replay
        // signal), and the recipient's row is written from what this instance last wrote or, for a
        // recipient it has not seen, added as new; a conflict reads both and decides again.
        ETag? expiredIdempotencyEtag = null;
        var recipient = _recipients.TryGetValue((account.Id, recipientRowKey), out var known) ? known : ((RecipientState State, ETag? ETag)?)null;
        var recipientFresh = false;
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            DateTimeOffset? scheduledFor;
            RecipientState nextRecipientState;
            switch (RecipientRules.Evaluate(recipient?.State ?? RecipientState.None, request.Priority, limits, now))
            {
                case RecipientDecision.DailyCapReached cap:
                    GiveBack();
                    return new AcceptResult.RecipientDailyCapReached(cap.Cap, cap.RetryAfter);
                case RecipientDecision.OtpCooldown cooldown:
                    GiveBack();
                    return new AcceptResult.OtpCooldown(cooldown.RetryAfter);
                case RecipientDecision.OptedOut or RecipientDecision.NotOptedIn when !recipientFresh:
                    // A refusal writes nothing, so no ETag would catch a consent changed elsewhere since
                    // this instance last saw the row (or a row it never saw): read it, then decide.
                    recipient = await GetRowAsync(account.Id, recipientRowKey, cancellationToken) is { } fresh ? (RecipientStateOf(fresh), fresh.ETag) : null;
                    recipientFresh = true;
                    continue;
                case RecipientDecision.OptedOut:
                    GiveBack();
                    return new AcceptResult.RecipientOptedOut();
                case RecipientDecision.NotOptedIn:
                    GiveBack();
                    return new AcceptResult.RecipientNotOptedIn();
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
            var response = respond(record, quota.Remaining);

            var recipientEntity = new TableEntity(account.Id, recipientRowKey)
            {
                ["LastAt"] = nextRecipientState.LastAt,
                ["Day"] = nextRecipientState.Day,
                ["DayCount"] = nextRecipientState.DayCount,
                ["LastOtpAt"] = nextRecipientState.LastOtpAt,
            };
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
                // Merged, not replaced: the row also holds the recipient's consent, which only the
                // consent writes change; the ETag still makes a consent change since this instance's
                // last write fail the transaction, so an opt-out is seen at once.
                recipient?.ETag is { } recipientEtag
                    ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, recipientEntity, recipientEtag)
                    : new TableTransactionAction(TableTransactionActionType.Add, recipientEntity),
            };
            const int RecipientAction = 2;

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
                var committed = await Table.SubmitTransactionAsync(actions, cancellationToken);
                RememberRecipient(account.Id, recipientRowKey, nextRecipientState, committed.Value.Count > RecipientAction ? committed.Value[RecipientAction].Headers.ETag : null);
                return new AcceptResult.Accepted(record, response);
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // A row was not as assumed (the key used before, the recipient written elsewhere): read both, decide again.
                _recipients.TryRemove((account.Id, recipientRowKey), out _);
            }

            var idempotencyRead = idempotencyRowKey is null ? Task.FromResult<TableEntity?>(null) : GetRowAsync(account.Id, idempotencyRowKey, cancellationToken);
            var recipientRead = GetRowAsync(account.Id, recipientRowKey, cancellationToken);
            var messageRead = GetRowAsync(account.Id, MessageRowKey(record.MessageId), cancellationToken);
            await Task.WhenAll(idempotencyRead, recipientRead, messageRead);
            if (await messageRead is not null)
            {
                // This request's own earlier try committed (the SDK retried a transaction whose answer was
                // lost): the message id is this request's alone, so it is accepted, once.
                return new AcceptResult.Accepted(record, response);
            }

            if (await idempotencyRead is { } row)
            {
                if (Replay(row, fingerprint, now) is { } replay)
                {
                    GiveBack();
                    return replay;
                }

                expiredIdempotencyEtag = row.ETag;
            }

            recipient = await recipientRead is { } recipientRow ? (RecipientStateOf(recipientRow), recipientRow.ETag) : null;
            recipientFresh = true;
        }

        GiveBack();
        throw new RequestFailedException(503, "The account is too busy: its rows stayed contended; try again.");
    }

    /// <summary>A limit refused the send: the stored response when this is a repeat of an accepted request, else the refusal.</summary>
    private async Task<AcceptResult> ReplayOrAsync(string accountId, string? idempotencyRowKey, string fingerprint, DateTimeOffset now, AcceptResult refusal, CancellationToken cancellationToken) =>
        idempotencyRowKey is not null && await GetRowAsync(accountId, idempotencyRowKey, cancellationToken) is { } row && Replay(row, fingerprint, now) is { } replay
            ? replay
            : refusal;

    /// <summary>The answer an unexpired idempotency row gives (its response, or a mismatch); null when it has expired.</summary>
    private static AcceptResult? Replay(TableEntity row, string fingerprint, DateTimeOffset now) =>
        row.GetDateTimeOffset("ExpiresAt") > now
            ? row.GetString("Fingerprint") == fingerprint
                ? new AcceptResult.Replayed(new StoredResponse(row.GetInt32("ResponseStatus") ?? 202, row.GetString("ResponseBody") ?? "{}"))
                : new AcceptResult.IdempotencyMismatch()
            : null;

    private void RememberRecipient(string accountId, string rowKey, RecipientState state, ETag? etag)
    {
        var capacity = options.Value.RecipientStateCacheSize;
        if (etag is null || capacity == 0)
        {
            _recipients.TryRemove((accountId, rowKey), out _);
            return;
        }

        if (_recipients.Count >= capacity)
        {
            // Bounded memory: forgetting costs a conflict and a read on the next send to each recipient, nothing more.
            _recipients.Clear();
        }

        _recipients[(accountId, rowKey)] = (state, etag);
    }

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
        if (!MessageIds.IsValid(messageId))
        {
            return (null, false);
        }

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
        if (!MessageIds.IsValid(messageId))
        {
            return (null, null);
        }

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

    /// <summary>The row of a recipient's send state and consent: "p_" and the first 32 hex digits of SHA-256 of the E.164 number.</summary>
    public static string RecipientRowKey(string recipient) =>
        "p_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipient)))[..32];

    private static RecipientState RecipientStateOf(TableEntity row) =>
        new(row.GetDateTimeOffset("LastAt"), row.GetString("Day"), row.GetInt32("DayCount") ?? 0, row.GetDateTimeOffset("LastOtpAt"))
        {
            Consent = Enum.TryParse<RecipientConsent>(row.GetString("Consent"), out var consent) ? consent : RecipientConsent.None,
        };

    /// <summary>
    /// Records <paramref name="consent"/> for <paramref name="recipient"/> on the row the accept path
    /// keeps for it, leaving its send state alone. Returns whether it changed (a repeat changes
    /// nothing). The row's new ETag makes every instance's next accept for the recipient read it again.
    /// </summary>
    public Task<bool> SetConsentAsync(string accountId, string recipient, RecipientConsent consent, string? name, string source, CancellationToken cancellationToken) =>
        SetConsentAsync(accountId, recipient, consent, name, source, onlyFrom: null, cancellationToken);

    /// <summary>
    /// Takes back a recipient's opt-in (DELETE /api/optin/{number}); false, and nothing written, when
    /// they had not opted in. Decided on the same read as the write, so a stop word that arrives
    /// meanwhile is never cleared by it.
    /// </summary>
    public Task<bool> RemoveOptInAsync(string accountId, string recipient, CancellationToken cancellationToken) =>
        SetConsentAsync(accountId, recipient, RecipientConsent.None, null, ConsentSources.Api, onlyFrom: RecipientConsent.OptedIn, cancellationToken);

    private async Task<bool> SetConsentAsync(string accountId, string recipient, RecipientConsent consent, string? name, string source, RecipientConsent? onlyFrom, CancellationToken cancellationToken)
    {
        var rowKey = RecipientRowKey(recipient);
        var now = time.GetUtcNow();
        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            _recipients.TryRemove((accountId, rowKey), out _);
            var row = await GetRowAsync(accountId, rowKey, cancellationToken);
            var current = row is null ? RecipientConsent.None : RecipientStateOf(row).Consent;
            var sameName = name is null || row?.GetString("Name") == name;
            if ((current == consent && sameName) || (onlyFrom is { } required && current != required))
            {
                return false;
            }

            var entity = new TableEntity(accountId, rowKey)
            {
                ["Number"] = recipient,
                ["Consent"] = consent.ToString(),
                ["ConsentSource"] = source,
                ["ConsentAt"] = current == consent && row?.GetDateTimeOffset("ConsentAt") is { } since ? since : now,
            };
            if (name is not null)
            {
                entity["Name"] = name;
            }

            try
            {
                if (row is null)
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Merge, cancellationToken);
                }

                return current != consent;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // A send or another consent write got there first: read again.
            }
        }

        throw new RequestFailedException(503, "The recipient's row stayed contended; try again.");
    }

    /// <summary>
    /// Recipients of the account who opted in, at most <paramref name="limit"/>, in row order after
    /// <paramref name="after"/> (the cursor: the last row key of the previous page, which
    /// <see cref="IsRecipientRowKey"/> checks); the next cursor when there may be more.
    /// </summary>
    public async Task<(IReadOnlyList<ConsentRecord> Page, string? Next)> ListOptedInAsync(string accountId, int limit, string? after, CancellationToken cancellationToken)
    {
        var from = after ?? "p_";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey gt {from} and RowKey lt {"p`"} and Consent eq {nameof(RecipientConsent.OptedIn)}");
        var records = new List<ConsentRecord>(limit);
        string? last = null;
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, limit, ["RowKey", "Number", "Name", "ConsentAt", "ConsentSource"], cancellationToken))
        {
            records.Add(new ConsentRecord(e.GetString("Number") ?? "", e.GetString("Name"), e.GetDateTimeOffset("ConsentAt"), e.GetString("ConsentSource")));
            last = e.RowKey;
            if (records.Count == limit)
            {
                break;
            }
        }

        return (records, records.Count == limit ? last : null);
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a recipient row key (a list cursor).</summary>
    public static bool IsRecipientRowKey(string? value) =>
        value is { Length: 34 } && value.StartsWith("p_", StringComparison.Ordinal) && value.AsSpan(2).IndexOfAnyExcept(LowerHex) < 0;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The consent recorded for one recipient.</summary>
    public async Task<RecipientConsent> ConsentOfAsync(string accountId, string recipient, CancellationToken cancellationToken) =>
        await GetRowAsync(accountId, RecipientRowKey(recipient), cancellationToken) is { } row ? RecipientStateOf(row).Consent : RecipientConsent.None;

    public static string MessageRowKey(string messageId) =>
        "m_" + Inverted(MessageIds.TimeOf(messageId).ToUnixTimeMilliseconds()) + "_" + messageId;

    internal static string OutboxRowKey(string messageId) => "o_" + messageId;

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

using WaServerless.Core.Bulk;
using System.Text.Json;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Sending;
using WaServerless.Queues;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Messages;

namespace WaServerless.Workflows.Campaigns;

/// <summary>What became of one campaign recipient handed to the accept path.</summary>
public abstract record CampaignSendOutcome
{
    private CampaignSendOutcome()
    {
    }

    /// <summary>A message exists for the recipient and is on (or due to reach) the send queue.</summary>
    public sealed record Accepted(string MessageId) : CampaignSendOutcome;

    /// <summary>Why a recipient who sent a stop word is skipped, as the campaign's recipient list reports it.</summary>
    public const string OptedOutReason = "the recipient opted out (sent a stop word)";

    /// <summary>This recipient is not sent; the campaign goes on.</summary>
    public sealed record Skipped(string Reason) : CampaignSendOutcome;

    /// <summary>Nothing more can be released now; the campaign waits, pauses or stops.</summary>
    public sealed record Halted(CampaignHalt Halt) : CampaignSendOutcome;
}

/// <summary>One recipient of a batch and when it is due.</summary>
public sealed record CampaignSendItem(CampaignRecipientRecord Recipient, DateTimeOffset ReleaseAt);

/// <summary>
/// Turns campaign recipients into accepted messages, through the same accept path and limits as
/// POST /api/send. Must be idempotent per (campaign, recipient index): a second call returns the
/// first call's message.
/// </summary>
public interface ICampaignSendAcceptor
{
    Task<CampaignSendOutcome> AcceptAsync(CampaignRecord campaign, CampaignRecipientRecord recipient, DateTimeOffset releaseAt, CancellationToken cancellationToken);

    /// <summary>
    /// One batch, in order: an outcome per recipient, up to and including the first
    /// <see cref="CampaignSendOutcome.Halted"/> (nothing after it is tried). An implementation reads
    /// what the batch shares once; this default takes the recipients one by one.
    /// </summary>
    async Task<IReadOnlyList<CampaignSendOutcome>> AcceptBatchAsync(CampaignRecord campaign, IReadOnlyList<CampaignSendItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outcomes = new List<CampaignSendOutcome>(items.Count);
        foreach (var item in items)
        {
            var outcome = await AcceptAsync(campaign, item.Recipient, item.ReleaseAt, cancellationToken);
            outcomes.Add(outcome);
            if (outcome is CampaignSendOutcome.Halted)
            {
                break;
            }
        }

        return outcomes;
    }
}

/// <summary>
/// The accept path for campaign recipients: the campaign key's caller and limits, read once per
/// batch (a key revoked or an account suspended mid-batch stops the next batch), then for each
/// recipient the message store's accept transaction (quota, per-minute budget, recipient rules)
/// under the idempotency key "campaign:{id}:{index}" (a repeat replays the first message id, so a
/// restarted batch never sends twice), then the enqueue with the recipient's release time as the
/// queue's not-before. Enqueues run one after another, in recipient order, alongside the next
/// accepts, and the batch returns once all are done; a failed enqueue is left to the outbox sweeper.
/// </summary>
public sealed class MessageStoreCampaignSendAcceptor(
    MessageStore messages,
    AccountStore accounts,
    ApiKeyStore keys,
    PlanCatalog plans,
    SendCommandQueue queue,
    OutboxCompletions outbox,
    TimeProvider time) : ICampaignSendAcceptor
{
    public static string IdempotencyKeyFor(string campaignId, int index) => $"campaign:{campaignId}:{index}";

    public async Task<CampaignSendOutcome> AcceptAsync(CampaignRecord campaign, CampaignRecipientRecord recipient, DateTimeOffset releaseAt, CancellationToken cancellationToken) =>
        (await AcceptBatchAsync(campaign, [new CampaignSendItem(recipient, releaseAt)], cancellationToken))[0];

    public async Task<IReadOnlyList<CampaignSendOutcome>> AcceptBatchAsync(CampaignRecord campaign, IReadOnlyList<CampaignSendItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return [];
        }

        var account = await accounts.GetAsync(campaign.AccountId, cancellationToken);
        if (account is null || account.Status != AccountStatus.Active)
        {
            return [new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.Stopped, "the account is not active"))];
        }

        var key = (await keys.ListAsync(campaign.AccountId, cancellationToken)).FirstOrDefault(k => k.KeyId == campaign.KeyId);
        if (key is null || key.RevokedAt is not null)
        {
            return [new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.Stopped, "the campaign's API key was revoked"))];
        }

        var caller = new Caller(key, account);
        var limits = plans.LimitsFor(caller);
        var outcomes = new List<CampaignSendOutcome>(items.Count);
        var enqueues = Task.CompletedTask;
        try
        {
            foreach (var item in items)
            {
                ArgumentNullException.ThrowIfNull(item);
                var (outcome, command, notBefore) = await AcceptOneAsync(caller, limits, campaign, item, cancellationToken);
                if (command is not null)
                {
                    enqueues = EnqueueAfterAsync(enqueues, command, notBefore, cancellationToken);
                }

                outcomes.Add(outcome);
                if (outcome is CampaignSendOutcome.Halted)
                {
                    break;
                }
            }
        }
        finally
        {
            await enqueues;
        }

        return outcomes;
    }

    private async Task<(CampaignSendOutcome Outcome, SendCommand? Enqueue, DateTimeOffset NotBefore)> AcceptOneAsync(
        Caller caller,
        SendLimits limits,
        CampaignRecord campaign,
        CampaignSendItem item,
        CancellationToken cancellationToken)
    {
        var recipient = item.Recipient;
        var content = CampaignTemplate.Render(campaign.Content, recipient.Variables);
        var priority = Priority.FromValue(campaign.Priority);
        var request = new SendRequest(recipient.Recipient, content, priority, IdempotencyKeyFor(campaign.CampaignId, recipient.Index));
        var command = new SendCommand
        {
            MessageId = MessageIds.New(time),
            AccountId = campaign.AccountId,
            SessionKey = campaign.SessionKey,
            Recipient = recipient.Recipient,
            Content = content,
            Priority = priority.Value,
            AcceptedAt = time.GetUtcNow(),
            // Enforced again where the bytes are fetched (the waha engine), as for a single send.
            MaxMediaBytes = WaServerless.Core.Messages.MediaUrls.Of(content).Count > 0 ? plans.PlanOf(caller.Account).MaxMediaBytes : null,
        };

        var result = await messages.AcceptAsync(caller, limits, request, command, Respond, cancellationToken);
        return result switch
        {
            AcceptResult.Accepted accepted => (
                new CampaignSendOutcome.Accepted(command.MessageId),
                command,
                accepted.Message.ScheduledFor is { } scheduled && scheduled > item.ReleaseAt ? scheduled : item.ReleaseAt),
            AcceptResult.Replayed replayed => (
                ReadMessageId(replayed.Response.Body) is { } id
                    ? new CampaignSendOutcome.Accepted(id)
                    : new CampaignSendOutcome.Skipped("accepted before, under a response this campaign cannot read"),
                null,
                default),
            AcceptResult.QuotaExceeded exceeded => (new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.QuotaExceeded, $"the monthly quota of {exceeded.MonthlyQuota} messages is used up")), null, default),
            AcceptResult.RateLimited limited => (new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.RateLimited, $"the key's {limited.Limit} submissions per minute are used up", limited.RetryAfter)), null, default),
            AcceptResult.DailyLimitReached daily => (new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.RateLimited, $"the account's {daily.Limit} messages a day are used up", daily.RetryAfter)), null, default),
            AcceptResult.RecipientDailyCapReached cap => (new CampaignSendOutcome.Skipped($"the recipient's daily cap of {cap.Cap} messages is reached"), null, default),
            AcceptResult.OtpCooldown => (new CampaignSendOutcome.Skipped("inside the recipient's OTP cooldown"), null, default),
            AcceptResult.RecipientOptedOut => (new CampaignSendOutcome.Skipped(CampaignSendOutcome.OptedOutReason), null, default),
            AcceptResult.RecipientNotOptedIn => (new CampaignSendOutcome.Skipped("the plan requires opt-in and the recipient has not opted in"), null, default),
            AcceptResult.IdempotencyMismatch => (new CampaignSendOutcome.Skipped("this recipient was accepted before with different content"), null, default),
            _ => throw new InvalidOperationException($"Unexpected accept result {result.GetType().Name}."),
        };
    }

    /// <summary>Enqueues once the previous enqueue of the batch is done, so the queue sees the batch in order.</summary>
    private async Task EnqueueAfterAsync(Task previous, SendCommand command, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        await previous;
        try
        {
            await queue.EnqueueAsync(command, notBefore > time.GetUtcNow() ? notBefore : null, cancellationToken);
            outbox.Complete(command.AccountId, command.MessageId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Accepted and durable: the outbox sweeper enqueues it.
        }
    }

    private static StoredResponse Respond(MessageRecord message, long remainingQuota) =>
        new(202, JsonSerializer.Serialize(new CampaignAccepted(message.MessageId, remainingQuota), WireJson.Options));

    private static string? ReadMessageId(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<CampaignAccepted>(body, WireJson.Options)?.QueueId;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record CampaignAccepted(string QueueId, long RemainingQuota);
}

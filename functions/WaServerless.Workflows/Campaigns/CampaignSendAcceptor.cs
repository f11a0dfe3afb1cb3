using System.Text.Json;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
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

    /// <summary>This recipient is not sent; the campaign goes on.</summary>
    public sealed record Skipped(string Reason) : CampaignSendOutcome;

    /// <summary>Nothing more can be released now; the campaign waits, pauses or stops.</summary>
    public sealed record Halted(CampaignHalt Halt) : CampaignSendOutcome;
}

/// <summary>
/// Turns one campaign recipient into an accepted message, through the same accept path and limits
/// as POST /api/send. Must be idempotent per (campaign, recipient index): a second call returns the
/// first call's message.
/// </summary>
public interface ICampaignSendAcceptor
{
    Task<CampaignSendOutcome> AcceptAsync(CampaignRecord campaign, CampaignRecipientRecord recipient, DateTimeOffset releaseAt, CancellationToken cancellationToken);
}

/// <summary>
/// The accept path for campaign recipients: the campaign key's caller and limits, the message store's
/// accept transaction (quota, per-minute budget, recipient rules) under the idempotency key
/// "campaign:{id}:{index}" (a repeat replays the first message id), then the enqueue with the
/// recipient's release time as the queue's not-before. A failed enqueue is left to the outbox sweeper.
/// </summary>
public sealed class MessageStoreCampaignSendAcceptor(
    MessageStore messages,
    AccountStore accounts,
    ApiKeyStore keys,
    PlanCatalog plans,
    SendCommandQueue queue,
    TimeProvider time) : ICampaignSendAcceptor
{
    public static string IdempotencyKeyFor(string campaignId, int index) => $"campaign:{campaignId}:{index}";

    public async Task<CampaignSendOutcome> AcceptAsync(CampaignRecord campaign, CampaignRecipientRecord recipient, DateTimeOffset releaseAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(recipient);

        var account = await accounts.GetAsync(campaign.AccountId, cancellationToken);
        if (account is null || account.Status != AccountStatus.Active)
        {
            return new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.Stopped, "the account is not active"));
        }

        var key = (await keys.ListAsync(campaign.AccountId, cancellationToken)).FirstOrDefault(k => k.KeyId == campaign.KeyId);
        if (key is null || key.RevokedAt is not null)
        {
            return new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.Stopped, "the campaign's API key was revoked"));
        }

        var caller = new Caller(key, account);
        var content = CampaignTemplate.Render(campaign.Content, recipient.Variables);
        var priority = Priority.FromValue(campaign.Priority);
        var request = new SendRequest(recipient.Recipient, content, priority, IdempotencyKeyFor(campaign.CampaignId, recipient.Index));
        var command = new SendCommand
        {
            MessageId = MessageIds.New(time),
            AccountId = campaign.AccountId,
            SessionId = campaign.SessionId,
            Recipient = recipient.Recipient,
            Content = content,
            Priority = priority.Value,
            AcceptedAt = time.GetUtcNow(),
        };

        var result = await messages.AcceptAsync(caller, plans.LimitsFor(caller), request, command, Respond, cancellationToken);
        switch (result)
        {
            case AcceptResult.Accepted accepted:
                var notBefore = accepted.Message.ScheduledFor is { } scheduled && scheduled > releaseAt ? scheduled : releaseAt;
                try
                {
                    await queue.EnqueueAsync(command, notBefore > time.GetUtcNow() ? notBefore : null, cancellationToken);
                    await messages.CompleteOutboxAsync(command.AccountId, command.MessageId, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Accepted and durable: the outbox sweeper enqueues it.
                }

                return new CampaignSendOutcome.Accepted(command.MessageId);
            case AcceptResult.Replayed replayed:
                return ReadMessageId(replayed.Response.Body) is { } id
                    ? new CampaignSendOutcome.Accepted(id)
                    : new CampaignSendOutcome.Skipped("accepted before, under a response this campaign cannot read");
            case AcceptResult.QuotaExceeded exceeded:
                return new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.QuotaExceeded, $"the monthly quota of {exceeded.MonthlyQuota} messages is used up"));
            case AcceptResult.RateLimited limited:
                return new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.RateLimited, $"the key's {limited.Limit} submissions per minute are used up", limited.RetryAfter));
            case AcceptResult.RecipientDailyCapReached cap:
                return new CampaignSendOutcome.Skipped($"the recipient's daily cap of {cap.Cap} messages is reached");
            case AcceptResult.OtpCooldown:
                return new CampaignSendOutcome.Skipped("inside the recipient's OTP cooldown");
            case AcceptResult.IdempotencyMismatch:
                return new CampaignSendOutcome.Skipped("this recipient was accepted before with different content");
            default:
                throw new InvalidOperationException($"Unexpected accept result {result.GetType().Name}.");
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

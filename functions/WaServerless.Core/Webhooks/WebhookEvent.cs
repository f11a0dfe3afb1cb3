using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sessions;

namespace WaServerless.Core.Webhooks;

/// <summary>
/// One event as receivers see it: {"id","type","created_at","account_id","data":{...}}. The id is
/// derived from the platform event's id, so the same event redelivered by the queue (or retried)
/// carries the same id and the same X-WaServerless-Event-Id: receivers dedupe on it.
/// </summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset CreatedAt, string AccountId, object Data)
{
    public const string IdPrefix = "evt_";

    /// <summary>The JSON body sent, in the API's dialect (snake_case, nulls left out).</summary>
    public byte[] ToBody() => JsonSerializer.SerializeToUtf8Bytes(
        new Envelope(Id, Type, CreatedAt, AccountId, Data), WireJson.Options);

    /// <summary>A stable event id: "evt_" and 32 hex characters of a hash of the source event's kind and id.</summary>
    public static string IdFor(string kind, string sourceEventId)
    {
        ArgumentNullException.ThrowIfNull(sourceEventId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(kind + "|" + sourceEventId));
        return IdPrefix + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>
    /// The webhook event for something off the events queue, or null for anything webhooks do not
    /// carry. <paramref name="recipient"/> is the message's recipient when the caller looked it up.
    /// </summary>
    public static WebhookEvent? From(object platformEvent, string? recipient = null) => platformEvent switch
    {
        DeliveryEvent d => new WebhookEvent(
            IdFor(WebhookEventTypes.MessageStatus, d.EventId),
            WebhookEventTypes.MessageStatus,
            d.At,
            d.AccountId,
            new MessageStatusData(
                d.MessageId,
                d.Status.ToWire(),
                SessionKey.NameOf(d.SessionKey),
                recipient,
                d.EngineMessageId,
                d.Attempt,
                d.Failure == FailureKind.None ? null : d.Failure.ToString().ToLowerInvariant(),
                d.Reason)),
        InboundMessageReceived i => new WebhookEvent(
            IdFor(WebhookEventTypes.MessageInbound, i.EventId),
            WebhookEventTypes.MessageInbound,
            i.At,
            i.AccountId,
            new InboundMessageData(i.MessageId, SessionKey.NameOf(i.SessionId), i.From, i.FromName, i.Type, i.Text, i.ReplyId, i.MediaId, i.EngineMessageId, i.InReplyTo)),
        SessionStateChanged s => new WebhookEvent(
            IdFor(WebhookEventTypes.SessionState, s.EventId),
            WebhookEventTypes.SessionState,
            s.At,
            s.AccountId,
            new SessionStateData(SessionKey.NameOf(s.SessionId), s.State.ToWire(), s.Phone, s.Reason)),
        RecipientConsentChanged c => new WebhookEvent(
            IdFor(WebhookEventTypes.ContactConsent, c.EventId),
            WebhookEventTypes.ContactConsent,
            c.At,
            c.AccountId,
            new ContactConsentData(c.Number, c.Consent, SessionKey.NameOf(c.SessionId), c.Keyword, c.InboundMessageId)),
        _ => null,
    };

    /// <summary>The test event of POST /api/webhooks/{id}/test; a new id each time.</summary>
    public static WebhookEvent Ping(string accountId, string webhookId, DateTimeOffset at) =>
        new(IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), WebhookEventTypes.Ping, at, accountId, new PingData(webhookId, "This is a test event from WaServerless."));

    private sealed record Envelope(string Id, string Type, DateTimeOffset CreatedAt, string AccountId, object Data);
}

/// <summary>data of message.status. queue_id is the id POST /api/send returned.</summary>
public sealed record MessageStatusData(string QueueId, string Status, string Session, string? Recipient, string? EngineMessageId, int Attempt, string? Failure, string? Reason);

/// <summary>data of message.inbound. message_id is the id GET /api/inbound returns.</summary>
public sealed record InboundMessageData(string MessageId, string Session, string From, string? FromName, string Type, string? Text, string? ReplyId, string? MediaId, string? EngineMessageId, string? InReplyTo);

/// <summary>data of session.state.</summary>
public sealed record SessionStateData(string Session, string State, string? Phone, string? Reason);

/// <summary>data of ping.</summary>
public sealed record PingData(string WebhookId, string Message);

/// <summary>data of contact.consent: consent is opted_out or opted_in; keyword the word the recipient sent.</summary>
public sealed record ContactConsentData(string Number, string Consent, string Session, string? Keyword, string? InboundMessageId);

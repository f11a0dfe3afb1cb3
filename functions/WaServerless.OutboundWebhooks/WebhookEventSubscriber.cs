using WaServerless.Core.Contracts;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Webhooks;
using WaServerless.Queues;

namespace WaServerless.OutboundWebhooks;

/// <summary>
/// Webhooks' place on the events queue: for each event, the account's enabled endpoints subscribed
/// to its type each get it, signed. A status change carries the message's recipient, read from the
/// message row (only when some endpoint wants the event). Storage failures throw, so the queue
/// delivers the event again; endpoint failures never do.
/// </summary>
public sealed class WebhookEventSubscriber(WebhookStore store, WebhookDeliverer deliverer, MessageStore messages) : IEventSubscriber
{
    public async Task OnEventAsync(object platformEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        var (accountId, type) = platformEvent switch
        {
            DeliveryEvent d => (d.AccountId, WebhookEventTypes.MessageStatus),
            InboundMessageReceived i => (i.AccountId, WebhookEventTypes.MessageInbound),
            SessionStateChanged s => (s.AccountId, WebhookEventTypes.SessionState),
            RecipientConsentChanged c => (c.AccountId, WebhookEventTypes.ContactConsent),
            _ => (null, null),
        };

        // Without the key no endpoint can have been registered, and none could be signed.
        if (accountId is null || type is null || !store.CanStoreSecrets)
        {
            return;
        }

        var targets = await store.ListTargetsAsync(accountId, type, cancellationToken);
        if (targets.Count == 0)
        {
            return;
        }

        var recipient = platformEvent is DeliveryEvent delivery
            ? (await messages.GetAsync(delivery.AccountId, delivery.MessageId, cancellationToken))?.Recipient
            : null;
        var webhookEvent = WebhookEvent.From(platformEvent, recipient)!;
        var body = webhookEvent.ToBody();
        await Task.WhenAll(targets.Select(t => deliverer.DeliverAsync(t, webhookEvent, body, cancellationToken)));
    }
}

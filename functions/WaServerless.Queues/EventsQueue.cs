using System.Text.Json;
using WaServerless.Core.Contracts;

namespace WaServerless.Queues;

/// <summary>
/// The events queue: message status changes (<see cref="DeliveryEvent"/>), session state changes
/// (<see cref="SessionStateChanged"/>), inbound messages (<see cref="InboundMessageReceived"/>) and
/// recipients' consent changes (<see cref="RecipientConsentChanged"/>).
/// The last two carry an event_type; a body without one is a DeliveryEvent, as every body was
/// before the others existed.
/// </summary>
public sealed class EventsQueue(IQueueTransport transport)
{
    public Task PublishAsync(DeliveryEvent deliveryEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryEvent);
        return SendAsync(deliveryEvent.EventId, JsonSerializer.Serialize(deliveryEvent, WireJson.Options), deliveryEvent.SessionKey, nameof(DeliveryEvent), cancellationToken);
    }

    public Task PublishAsync(SessionStateChanged sessionEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionEvent);
        return SendAsync(sessionEvent.EventId, JsonSerializer.Serialize(sessionEvent, WireJson.Options), sessionEvent.SessionKey, nameof(SessionStateChanged), cancellationToken);
    }

    public Task PublishAsync(InboundMessageReceived inbound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        return SendAsync(inbound.EventId, JsonSerializer.Serialize(inbound, WireJson.Options), Core.Sessions.SessionKey.Of(inbound.AccountId, inbound.SessionId), nameof(InboundMessageReceived), cancellationToken);
    }

    public Task PublishAsync(RecipientConsentChanged consent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return SendAsync(consent.EventId, JsonSerializer.Serialize(consent, WireJson.Options), Core.Sessions.SessionKey.Of(consent.AccountId, consent.SessionId), nameof(RecipientConsentChanged), cancellationToken);
    }

    /// <summary>The event in <paramref name="body"/>: one of the four records, or null when it is poison (see <see cref="Parse"/>).</summary>
    public static object? Read(string body) => Parse(body).Value;

    /// <summary>The event in <paramref name="body"/>, or why it is poison: oversize, unreadable, an unknown version or event type.</summary>
    public static QueueRead<object> Parse(string body)
    {
        using var document = QueueBodies.Open(body, out var poison);
        if (document is null)
        {
            return new QueueRead<object>(null, poison!);
        }

        var root = document.RootElement;
        if (!root.TryGetProperty("event_type", out var type))
        {
            return Widen(QueueBodies.Deserialize<DeliveryEvent>(root, nameof(DeliveryEvent)));
        }

        return type.ValueKind != JsonValueKind.String
            ? new QueueRead<object>(null, "unreadable: event_type is not a string")
            : type.GetString() switch
            {
                SessionStateChanged.Kind => Widen(QueueBodies.Deserialize<SessionStateChanged>(root, nameof(SessionStateChanged))),
                InboundMessageReceived.Kind => Widen(QueueBodies.Deserialize<InboundMessageReceived>(root, nameof(InboundMessageReceived))),
                RecipientConsentChanged.Kind => Widen(QueueBodies.Deserialize<RecipientConsentChanged>(root, nameof(RecipientConsentChanged))),
                var unknown => new QueueRead<object>(null, $"unknown event type '{(unknown!.Length > 64 ? unknown[..64] + "…" : unknown)}'"),
            };
    }

    private static QueueRead<object> Widen<T>(QueueRead<T> read)
        where T : class => new(read.Value, read.PoisonReason);

    private Task SendAsync(string id, string body, string sessionKey, string subject, CancellationToken cancellationToken) =>
        transport.SendAsync(QueueNames.Events, new OutgoingMessage(id, body, sessionKey, subject), null, cancellationToken);
}

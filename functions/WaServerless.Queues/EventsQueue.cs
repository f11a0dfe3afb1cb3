using System.Text.Json;
using WaServerless.Core.Contracts;

namespace WaServerless.Queues;

/// <summary>
/// The events queue: message status changes (<see cref="DeliveryEvent"/>), session state changes
/// (<see cref="SessionStateChanged"/>) and inbound messages (<see cref="InboundMessageReceived"/>).
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

    /// <summary>The event in <paramref name="body"/>: one of the three records, or null when it is none of them.</summary>
    public static object? Read(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var kind = document.RootElement.TryGetProperty("event_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
            return kind switch
            {
                null => document.RootElement.Deserialize<DeliveryEvent>(WireJson.Options),
                SessionStateChanged.Kind => document.RootElement.Deserialize<SessionStateChanged>(WireJson.Options),
                InboundMessageReceived.Kind => document.RootElement.Deserialize<InboundMessageReceived>(WireJson.Options),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Task SendAsync(string id, string body, string sessionKey, string subject, CancellationToken cancellationToken) =>
        transport.SendAsync(QueueNames.Events, new OutgoingMessage(id, body, sessionKey, subject), null, cancellationToken);
}

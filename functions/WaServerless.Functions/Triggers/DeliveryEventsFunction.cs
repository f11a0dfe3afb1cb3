using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using WaServerless.Queues;

namespace WaServerless.Functions.Triggers;

/// <summary>
/// Consumes DeliveryEvents from the events queue with explicit settlement: a readable event is
/// completed once handled, an unreadable one is dead-lettered with the reason, never retried forever.
/// Retries and webhook fan-out hang off this trigger as they are built.
/// </summary>
public sealed partial class DeliveryEventsFunction(ILogger<DeliveryEventsFunction> logger)
{
    [Function(nameof(OnDeliveryEvent))]
    public async Task OnDeliveryEvent(
        [ServiceBusTrigger("%EventsQueueName%", Connection = "ServiceBus", AutoCompleteMessages = false)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(actions);
        var deliveryEvent = DeliveryEventPublisher.Read(message.Body.ToString());
        if (deliveryEvent is null)
        {
            await actions.DeadLetterMessageAsync(message, deadLetterReason: "not a DeliveryEvent", cancellationToken: cancellationToken);
            return;
        }

        LogEvent(logger, deliveryEvent.MessageId, deliveryEvent.Status.ToString(), deliveryEvent.Failure.ToString());
        await actions.CompleteMessageAsync(message, cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Delivery event for {MessageId}: {Status} ({Failure})")]
    private static partial void LogEvent(ILogger logger, string messageId, string status, string failure);
}

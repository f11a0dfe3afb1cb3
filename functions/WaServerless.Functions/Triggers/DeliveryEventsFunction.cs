using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.DurableTask.Client;
using WaServerless.Queues;
using WaServerless.Workflows;
using WaServerless.Workflows.Signals;

namespace WaServerless.Functions.Triggers;

/// <summary>
/// Consumes DeliveryEvents from the events queue with explicit settlement: a readable event is
/// completed once handed to the workflows (a transient failure starts its RetrySend; a rate limit or a
/// lost session throttles campaigns), an unreadable one is dead-lettered with the reason.
/// </summary>
public sealed partial class DeliveryEventsFunction(WorkflowDispatcher dispatcher, ILogger<DeliveryEventsFunction> logger)
{
    [Function(nameof(OnDeliveryEvent))]
    public async Task OnDeliveryEvent(
        [ServiceBusTrigger("%EventsQueueName%", Connection = "ServiceBus", AutoCompleteMessages = false)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        [DurableClient] DurableTaskClient durable,
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
        // Handled first, completed after: a failure here leaves the message to be delivered again (the
        // dispatcher's starts are idempotent by instance id).
        await dispatcher.OnDeliveryEventAsync(new DurableWorkflowClient(durable), deliveryEvent, cancellationToken);
        await actions.CompleteMessageAsync(message, cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Delivery event for {MessageId}: {Status} ({Failure})")]
    private static partial void LogEvent(ILogger logger, string messageId, string status, string failure);
}

using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using WaServerless.Queues;
using WaServerless.Workflows;
using WaServerless.Workflows.Signals;

namespace WaServerless.Functions.Triggers;

/// <summary>
/// Consumes the events queue (status changes, session state changes, inbound messages) with explicit
/// settlement: a readable event is completed once routed (a transient failure starts its RetrySend; a
/// session that connected wakes what waits for it; webhooks fan out), an unreadable one is
/// dead-lettered with the reason.
/// </summary>
public sealed class DeliveryEventsFunction(EventsRouter router)
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
        var (platformEvent, poison) = EventsQueue.Parse(message.Body.ToString());
        if (platformEvent is null)
        {
            await actions.DeadLetterMessageAsync(message, deadLetterReason: poison, cancellationToken: cancellationToken);
            return;
        }

        // Handled first, completed after: a failure here leaves the message to be delivered again (the
        // router's starts and raises are safe to repeat).
        await router.RouteAsync(new DurableWorkflowClient(durable), platformEvent, cancellationToken);
        await actions.CompleteMessageAsync(message, cancellationToken);
    }
}

using WaServerless.Queues;
using Microsoft.Extensions.Logging;
using WaServerless.Core.Contracts;
using WaServerless.Core.Sessions;

namespace WaServerless.Workflows.Signals;

/// <summary>
/// What both hosts do with one event taken off the events queue: status changes go to the
/// workflow dispatcher (retries, campaign throttling), a session that connected wakes the retries and
/// campaigns waiting for it, and every event goes to the subscribers. Handled first, settled after:
/// an exception leaves the message to be delivered again, and everything here is safe to repeat.
/// </summary>
public sealed partial class EventsRouter(WorkflowDispatcher dispatcher, IEnumerable<IEventSubscriber> subscribers, ILogger<EventsRouter> logger)
{
    public async Task RouteAsync(IWorkflowClient client, object platformEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        switch (platformEvent)
        {
            case DeliveryEvent delivery:
                LogDelivery(logger, delivery.MessageId, delivery.Status.ToString(), delivery.Failure.ToString());
                await dispatcher.OnDeliveryEventAsync(client, delivery, cancellationToken);
                break;
            case SessionStateChanged session:
                LogSession(logger, session.SessionKey, session.State.ToWire());
                if (session.State == SessionState.Connected)
                {
                    // Waiters are registered under the session key, the form commands and campaigns carry.
                    await dispatcher.OnSessionConnectedAsync(client, session.AccountId, session.SessionKey, cancellationToken);
                }

                break;
            case InboundMessageReceived inbound:
                LogInbound(logger, inbound.MessageId, inbound.AccountId);
                break;
            case RecipientConsentChanged:
                break; // nothing waits on it: webhooks carry it

            default:
                throw new ArgumentException($"{platformEvent.GetType().Name} is not an event of the events queue.", nameof(platformEvent));
        }

        foreach (var subscriber in subscribers)
        {
            await subscriber.OnEventAsync(platformEvent, cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Delivery event for {MessageId}: {Status} ({Failure})")]
    private static partial void LogDelivery(ILogger logger, string messageId, string status, string failure);

    [LoggerMessage(LogLevel.Information, "Session {SessionKey} is {State}")]
    private static partial void LogSession(ILogger logger, string sessionKey, string state);

    [LoggerMessage(LogLevel.Debug, "Inbound message {MessageId} for account {AccountId}")]
    private static partial void LogInbound(ILogger logger, string messageId, string accountId);
}

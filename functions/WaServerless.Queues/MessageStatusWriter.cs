using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Storage.Messages;

namespace WaServerless.Queues;

/// <summary>
/// Every status change, whoever makes it (the connector, a workflow): the row updated if the rules
/// allow, and a DeliveryEvent published only when it changed. Running it twice changes nothing the
/// second time.
/// </summary>
public sealed class MessageStatusWriter(MessageStore messages, EventsQueue events)
{
    public async Task<(MessageRecord? Record, bool Changed)> AdvanceAsync(
        string accountId,
        string messageId,
        StatusUpdate update,
        FailureKind failure,
        string? traceParent,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var (record, changed) = await messages.TryAdvanceAsync(accountId, messageId, update, cancellationToken);
        if (changed && record is not null)
        {
            await events.PublishAsync(
                new DeliveryEvent
                {
                    EventId = $"{messageId}.{update.Status.ToWire()}.{record.History.Count}",
                    MessageId = messageId,
                    AccountId = accountId,
                    SessionKey = record.SessionKey,
                    Status = update.Status,
                    At = update.At,
                    Attempt = record.Attempts,
                    EngineMessageId = record.EngineMessageId,
                    Failure = failure,
                    Reason = update.FailureReason ?? update.Detail,
                    TraceParent = traceParent,
                },
                cancellationToken);
        }

        return (record, changed);
    }
}

using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Queues;
using WaServerless.Storage.Messages;

namespace WaServerless.Connector.Sending;

/// <summary>Every status change: the table row updated (if the rules allow) and a DeliveryEvent published.</summary>
public sealed class StatusRecorder(MessageStore messages, DeliveryEventPublisher events, TimeProvider time)
{
    /// <summary>Returns the stored record and whether it changed; publishes only on a change.</summary>
    public async Task<(MessageRecord? Record, bool Changed)> RecordAsync(
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
                    SessionId = record.SessionId,
                    Status = update.Status,
                    At = update.At == default ? time.GetUtcNow() : update.At,
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

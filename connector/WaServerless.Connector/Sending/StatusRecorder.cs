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

    /// <summary>
    /// A transient failure: the status stays where it is (sending) and the event asks for a retry,
    /// which the RetrySend orchestration schedules and records in the history.
    /// </summary>
    public Task ReportTransientFailureAsync(SendCommand command, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return events.PublishAsync(
            new DeliveryEvent
            {
                EventId = $"{command.MessageId}.transient.{command.Attempt}",
                MessageId = command.MessageId,
                AccountId = command.AccountId,
                SessionId = command.SessionId,
                Status = MessageStatus.Sending,
                At = time.GetUtcNow(),
                Attempt = command.Attempt,
                Failure = FailureKind.Transient,
                Reason = reason,
                TraceParent = command.TraceParent,
            },
            cancellationToken);
    }
}

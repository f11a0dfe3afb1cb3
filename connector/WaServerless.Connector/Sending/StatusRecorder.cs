using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Queues;
using WaServerless.Storage.Messages;

namespace WaServerless.Connector.Sending;

/// <summary>The connector's status reporting: changes through the shared writer, and transient failures as events only.</summary>
internal sealed class StatusRecorder(MessageStatusWriter writer, EventsQueue events, TimeProvider time)
{
    /// <summary>Returns the stored record and whether it changed; publishes only on a change.</summary>
    public Task<(MessageRecord? Record, bool Changed)> RecordAsync(
        string accountId,
        string messageId,
        StatusUpdate update,
        FailureKind failure,
        string? traceParent,
        CancellationToken cancellationToken) =>
        writer.AdvanceAsync(accountId, messageId, update, failure, traceParent, cancellationToken);

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
                SessionKey = command.SessionKey,
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

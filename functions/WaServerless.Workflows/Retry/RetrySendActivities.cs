using System.Globalization;
using Microsoft.DurableTask;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Queues;
using WaServerless.Storage.Messages;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows.Retry;

internal static class RetryChecks
{
    /// <summary>Whether a retry of <paramref name="failedAttempt"/> should go on, given the stored message.</summary>
    public static RetryCheck Of(MessageRecord? stored, int failedAttempt) => stored switch
    {
        null => RetryCheck.NotFound,
        { Status: MessageStatus.Cancelled } => RetryCheck.Cancelled,
        { Status: not (MessageStatus.Queued or MessageStatus.Sending or MessageStatus.Scheduled) } => RetryCheck.Settled,
        _ when stored.Attempts > failedAttempt => RetryCheck.Superseded,
        _ => RetryCheck.Proceed,
    };
}

/// <summary>
/// Puts "retry N scheduled at …" in the message's status history: the step sending -> queued, with
/// the schedule as its detail and a DeliveryEvent (failure none, so it starts no second retry). When
/// the connector already moved the message to queued, the history keeps its entry and this changes
/// nothing. Registers the instance to hear of the session reconnecting when that is what it waits for.
/// Idempotent: a second run finds the message queued and the waiter registered.
/// </summary>
public sealed class ScheduleRetryActivity(MessageStore messages, MessageStatusWriter writer, SessionWaiters waiters, TimeProvider time)
    : TaskActivity<RetryScheduleRequest, RetryCheck>
{
    public override Task<RetryCheck> RunAsync(TaskActivityContext context, RetryScheduleRequest input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<RetryCheck> ExecuteAsync(RetryScheduleRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stored = await messages.GetAsync(input.AccountId, input.MessageId, cancellationToken);
        var check = RetryChecks.Of(stored, input.FailedAttempt);
        if (check != RetryCheck.Proceed)
        {
            return check;
        }

        if (stored!.Status == MessageStatus.Sending)
        {
            var detail = string.Create(
                CultureInfo.InvariantCulture,
                $"retry {input.FailedAttempt + 1} scheduled at {input.RetryAt:O}{(input.WaitsForSession ? " or when the session reconnects" : string.Empty)}; attempt {input.FailedAttempt} failed: {input.Reason}");
            var (record, changed) = await writer.AdvanceAsync(
                input.AccountId,
                input.MessageId,
                new StatusUpdate(MessageStatus.Queued, time.GetUtcNow(), input.FailedAttempt, detail),
                FailureKind.None,
                input.TraceParent,
                cancellationToken);
            check = changed ? RetryCheck.Proceed : RetryChecks.Of(record, input.FailedAttempt);
            if (check != RetryCheck.Proceed)
            {
                return check;
            }
        }

        if (input.WaitsForSession)
        {
            await waiters.AddAsync(input.AccountId, input.SessionKey, input.InstanceId, cancellationToken);
        }

        return RetryCheck.Proceed;
    }
}

/// <summary>
/// Enqueues the next attempt, unless the stored message says not to (cancelled, already out, or a
/// later attempt underway). Enqueueing one attempt twice is harmless: the queue message id carries
/// the attempt (Service Bus drops the duplicate) and the connector checks the stored status and
/// attempts before it sends.
/// </summary>
public sealed class RequeueSendActivity(MessageStore messages, SendCommandQueue queue) : TaskActivity<SendCommand, RetryCheck>
{
    public override Task<RetryCheck> RunAsync(TaskActivityContext context, SendCommand input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<RetryCheck> ExecuteAsync(SendCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var stored = await messages.GetAsync(command.AccountId, command.MessageId, cancellationToken);
        var check = RetryChecks.Of(stored, command.Attempt - 1);
        if (check == RetryCheck.Proceed)
        {
            await queue.EnqueueAsync(command, null, cancellationToken);
        }

        return check;
    }
}

/// <summary>Fails the message with the retry's last reason. Idempotent: a failed message stays failed.</summary>
public sealed class MarkRetryFailedActivity(MessageStatusWriter writer, TimeProvider time) : TaskActivity<RetryFailRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, RetryFailRequest input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<bool> ExecuteAsync(RetryFailRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (_, changed) = await writer.AdvanceAsync(
            input.AccountId,
            input.MessageId,
            new StatusUpdate(MessageStatus.Failed, time.GetUtcNow(), input.Attempt, input.Reason, FailureReason: input.Reason),
            FailureKind.Transient,
            input.TraceParent,
            cancellationToken);
        return changed;
    }
}

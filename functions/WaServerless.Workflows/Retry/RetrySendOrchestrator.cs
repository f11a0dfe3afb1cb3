using WaServerless.Core.Sending;
using System.Globalization;
using Microsoft.DurableTask;

namespace WaServerless.Workflows.Retry;

/// <summary>
/// Retries one transient send failure. Started when the connector reports the failure, under an
/// instance id derived from the message id (a duplicate start of a running one is a no-op); one run
/// per failed attempt, so its history stays a handful of events. It:
/// <list type="number">
/// <item>gives up (message failed, with the last reason) when the attempt was the last allowed or the
/// retry would come after the message's maximum age;</item>
/// <item>records "retry N scheduled at …" in the message's status history (and, if the session was
/// disconnected, registers to hear when it reconnects);</item>
/// <item>waits on a durable timer for the backoff (exponential, capped, with deterministic jitter),
/// racing "SessionConnected" when the session was the cause and "Cancel" always;</item>
/// <item>re-enqueues the command as attempt N + 1, unless the message was cancelled, went out, or a
/// later attempt is already underway.</item>
/// </list>
/// Deterministic: time from the context, jitter from the message id, every side effect in an activity.
/// </summary>
public sealed class RetrySendOrchestrator : TaskOrchestrator<RetrySendInput, RetrySendOutcome>
{
    public static TaskName Name => nameof(RetrySendOrchestrator);

    public static string InstanceIdFor(string messageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return "retry-" + messageId;
    }

    public override async Task<RetrySendOutcome> RunAsync(TaskOrchestrationContext context, RetrySendInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var command = input.Command;
        var failed = command.Attempt;
        var now = Now(context);
        var policy = input.Settings.ToPolicy();

        if (!policy.ShouldRetry(failed))
        {
            return await GiveUpAsync(context, input, now, $"gave up after {failed} attempts: {input.Reason}");
        }

        var retryAt = now + policy.DelayAfter(failed, DeterministicJitter.Fraction(input.JitterSeed, failed));
        if (retryAt - command.AcceptedAt > input.Settings.MaxAge)
        {
            var maxAge = input.Settings.MaxAge.ToString("c", CultureInfo.InvariantCulture);
            return await GiveUpAsync(context, input, now, $"gave up after {failed} attempts: a retry would pass the maximum age of {maxAge}; last failure: {input.Reason}");
        }

        var scheduled = await context.CallActivityAsync<RetryCheck>(
            nameof(ScheduleRetryActivity),
            new RetryScheduleRequest(command.AccountId, command.MessageId, command.SessionKey, failed, input.Reason, retryAt, input.SessionDisconnected, context.InstanceId, command.TraceParent),
            ActivityRetry.Options);
        if (scheduled != RetryCheck.Proceed)
        {
            return Stopped(scheduled, failed, now);
        }

        context.SetCustomStatus(new RetrySendStatus(failed + 1, retryAt, input.SessionDisconnected));
        var wake = await WaitAsync(context, retryAt, input.SessionDisconnected);
        if (wake == Wake.Cancelled)
        {
            return new RetrySendOutcome(RetrySendResult.Cancelled, failed, Now(context), "message cancelled");
        }

        var requeued = await context.CallActivityAsync<RetryCheck>(nameof(RequeueSendActivity), command with { Attempt = failed + 1 }, ActivityRetry.Options);
        return requeued == RetryCheck.Proceed
            ? new RetrySendOutcome(RetrySendResult.Requeued, failed + 1, Now(context), wake == Wake.SessionConnected ? "session reconnected" : "backoff elapsed")
            : Stopped(requeued, failed, Now(context));
    }

    private enum Wake
    {
        Timer,
        SessionConnected,
        Cancelled,
    }

    private static async Task<Wake> WaitAsync(TaskOrchestrationContext context, DateTimeOffset retryAt, bool waitForSession)
    {
        using var timerCancellation = new CancellationTokenSource();
        using var eventCancellation = new CancellationTokenSource();
        var timer = context.CreateTimer(retryAt.UtcDateTime, timerCancellation.Token);
        var cancel = context.WaitForExternalEvent<WorkflowSignal>(WorkflowEvents.Cancel, eventCancellation.Token);
        var connected = waitForSession ? context.WaitForExternalEvent<WorkflowSignal>(WorkflowEvents.SessionConnected, eventCancellation.Token) : null;

        var winner = connected is null ? await Task.WhenAny(cancel, timer) : await Task.WhenAny(cancel, connected, timer);

        // A durable timer must fire or be cancelled before the orchestration may complete; waits that
        // lost are abandoned. The orchestration ends right after this, so no later event is lost to them.
        // Cancel synchronously: the callbacks touch the orchestration's state and must run on its thread.
        if (winner != timer)
        {
            timerCancellation.Cancel();
        }

        eventCancellation.Cancel();
        return winner == cancel ? Wake.Cancelled : winner == timer ? Wake.Timer : Wake.SessionConnected;
    }

    private static async Task<RetrySendOutcome> GiveUpAsync(TaskOrchestrationContext context, RetrySendInput input, DateTimeOffset now, string reason)
    {
        var command = input.Command;
        await context.CallActivityAsync<bool>(
            nameof(MarkRetryFailedActivity),
            new RetryFailRequest(command.AccountId, command.MessageId, command.Attempt, reason, command.TraceParent),
            ActivityRetry.Options);
        return new RetrySendOutcome(RetrySendResult.GaveUp, command.Attempt, now, reason);
    }

    private static RetrySendOutcome Stopped(RetryCheck check, int attempt, DateTimeOffset at) => check switch
    {
        RetryCheck.Cancelled => new RetrySendOutcome(RetrySendResult.Cancelled, attempt, at, "message cancelled"),
        RetryCheck.Settled => new RetrySendOutcome(RetrySendResult.Settled, attempt, at, "message already settled"),
        RetryCheck.Superseded => new RetrySendOutcome(RetrySendResult.Superseded, attempt, at, "a later attempt is underway"),
        RetryCheck.NotFound => new RetrySendOutcome(RetrySendResult.NotFound, attempt, at, "no stored message"),
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "Not a reason to stop."),
    };

    private static DateTimeOffset Now(TaskOrchestrationContext context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));
}

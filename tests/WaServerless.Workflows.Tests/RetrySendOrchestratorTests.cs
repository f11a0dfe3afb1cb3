using WaServerless.Core.Sending;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Workflows.Retry;

namespace WaServerless.Workflows.Tests;

/// <summary>RetrySend on the fake context: the backoff schedule, giving up, the session race and cancel.</summary>
public sealed class RetrySendOrchestratorTests
{
    private static readonly DateTime Start = new(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
    private static readonly RetrySettings Settings = new(MaxAttempts: 5, InitialDelay: TimeSpan.FromSeconds(5), MaxDelay: TimeSpan.FromSeconds(30), Jitter: 0.2, MaxAge: TimeSpan.FromHours(1));

    private static SendCommand Command(int attempt, DateTimeOffset? acceptedAt = null) => new()
    {
        MessageId = "msg_01JDA2B3C4D5E6F7G8H9J0KMNP",
        AccountId = "acc_1",
        SessionKey = "default",
        Recipient = "+14155550123",
        Content = new TextContent("hello"),
        Priority = 5,
        AcceptedAt = acceptedAt ?? new DateTimeOffset(Start).AddMinutes(-1),
        Attempt = attempt,
    };

    private static RetrySendInput Input(int attempt, bool disconnected = false, DateTimeOffset? acceptedAt = null) =>
        RetrySendInput.Create(Command(attempt, acceptedAt), disconnected ? "session disconnected" : "timed out", disconnected, Settings);

    private static FakeOrchestrationContext NewContext(RetryCheck schedule = RetryCheck.Proceed, RetryCheck requeue = RetryCheck.Proceed) =>
        new FakeOrchestrationContext(Start, RetrySendOrchestrator.InstanceIdFor(Command(1).MessageId))
            .OnActivity<RetryScheduleRequest, RetryCheck>(nameof(ScheduleRetryActivity), _ => schedule)
            .OnActivity<SendCommand, RetryCheck>(nameof(RequeueSendActivity), _ => requeue)
            .OnActivity<RetryFailRequest, bool>(nameof(MarkRetryFailedActivity), _ => true);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 30)]
    public async Task The_backoff_doubles_from_the_initial_delay_up_to_the_cap_with_deterministic_jitter(int failedAttempt, int nominalSeconds)
    {
        var context = NewContext();
        var input = Input(failedAttempt);

        var run = context.Start(new RetrySendOrchestrator(), input);

        var timer = Assert.Single(context.PendingTimers);
        var delay = timer.FireAt - Start;
        Assert.InRange(delay.TotalSeconds, nominalSeconds * 0.8, nominalSeconds * 1.2);
        Assert.Equal(Settings.ToPolicy().DelayAfter(failedAttempt, DeterministicJitter.Fraction(input.JitterSeed, failedAttempt)), delay);
        var scheduled = Assert.IsType<RetryScheduleRequest>(Assert.Single(context.CallsTo(nameof(ScheduleRetryActivity))).Input);
        Assert.Equal(new DateTimeOffset(timer.FireAt), scheduled.RetryAt);
        Assert.Equal(failedAttempt, scheduled.FailedAttempt);
        Assert.Empty(context.CallsTo(nameof(RequeueSendActivity)));

        context.FireNextTimer();

        var requeued = Assert.IsType<SendCommand>(Assert.Single(context.CallsTo(nameof(RequeueSendActivity))).Input);
        Assert.Equal(failedAttempt + 1, requeued.Attempt);
        Assert.Equal(timer.FireAt, context.CallsTo(nameof(RequeueSendActivity))[0].At);
        var outcome = await run;
        Assert.Equal(RetrySendResult.Requeued, outcome.Result);
        Assert.Equal(failedAttempt + 1, outcome.Attempt);

        // A second run of the same input (a replay) waits exactly as long.
        var again = NewContext();
        _ = again.Start(new RetrySendOrchestrator(), input);
        Assert.Equal(timer.FireAt, Assert.Single(again.PendingTimers).FireAt);
    }

    [Fact]
    public async Task After_the_last_allowed_attempt_it_gives_up_and_fails_the_message_with_the_last_reason()
    {
        var context = NewContext();

        var outcome = await context.Start(new RetrySendOrchestrator(), Input(Settings.MaxAttempts, disconnected: true));

        Assert.Equal(RetrySendResult.GaveUp, outcome.Result);
        var failed = Assert.IsType<RetryFailRequest>(Assert.Single(context.CallsTo(nameof(MarkRetryFailedActivity))).Input);
        Assert.Equal($"gave up after {Settings.MaxAttempts} attempts: session disconnected", failed.Reason);
        Assert.Equal(Settings.MaxAttempts, failed.Attempt);
        Assert.Empty(context.Timers);
        Assert.Empty(context.CallsTo(nameof(ScheduleRetryActivity)));
        Assert.Empty(context.CallsTo(nameof(RequeueSendActivity)));
    }

    [Fact]
    public async Task It_gives_up_when_the_retry_would_come_after_the_maximum_age()
    {
        var context = NewContext();
        var acceptedLongAgo = new DateTimeOffset(Start) - Settings.MaxAge + TimeSpan.FromSeconds(2);

        var outcome = await context.Start(new RetrySendOrchestrator(), Input(1, acceptedAt: acceptedLongAgo));

        Assert.Equal(RetrySendResult.GaveUp, outcome.Result);
        var failed = Assert.IsType<RetryFailRequest>(Assert.Single(context.CallsTo(nameof(MarkRetryFailedActivity))).Input);
        Assert.Contains("maximum age", failed.Reason, StringComparison.Ordinal);
        Assert.EndsWith("last failure: timed out", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(context.Timers);
    }

    [Fact]
    public async Task When_the_session_was_disconnected_its_reconnect_beats_the_backoff_timer()
    {
        var context = NewContext();

        var run = context.Start(new RetrySendOrchestrator(), Input(2, disconnected: true));
        var timer = Assert.Single(context.PendingTimers);
        Assert.Contains(WorkflowEvents.SessionConnected, context.WaitingFor);
        Assert.True(Assert.IsType<RetryScheduleRequest>(context.CallsTo(nameof(ScheduleRetryActivity))[0].Input).WaitsForSession);

        context.RaiseEvent(WorkflowEvents.SessionConnected, new WorkflowSignal("session reconnected"));

        var outcome = await run;
        Assert.Equal(RetrySendResult.Requeued, outcome.Result);
        Assert.Equal("session reconnected", outcome.Reason);
        Assert.Equal(Start, Assert.Single(context.CallsTo(nameof(RequeueSendActivity))).At);
        Assert.True(timer.Cancelled, "the losing durable timer is cancelled so the orchestration can complete");
    }

    [Fact]
    public async Task Without_a_disconnect_a_reconnect_does_not_cut_the_backoff_short()
    {
        var context = NewContext();

        var run = context.Start(new RetrySendOrchestrator(), Input(1));
        context.RaiseEvent(WorkflowEvents.SessionConnected, new WorkflowSignal());

        Assert.False(run.IsCompleted);
        Assert.Empty(context.CallsTo(nameof(RequeueSendActivity)));
        var timer = context.FireNextTimer();
        Assert.Equal(RetrySendResult.Requeued, (await run).Result);
        Assert.Equal(timer.FireAt, context.CallsTo(nameof(RequeueSendActivity))[0].At);
    }

    [Fact]
    public async Task Cancelling_the_message_ends_the_wait_without_a_requeue()
    {
        var context = NewContext();

        var run = context.Start(new RetrySendOrchestrator(), Input(1, disconnected: true));
        var timer = Assert.Single(context.PendingTimers);
        context.RaiseEvent(WorkflowEvents.Cancel, new WorkflowSignal("cancelled by the API"));

        var outcome = await run;
        Assert.Equal(RetrySendResult.Cancelled, outcome.Result);
        Assert.True(timer.Cancelled);
        Assert.Empty(context.CallsTo(nameof(RequeueSendActivity)));
    }

    [Theory]
    [InlineData(RetryCheck.Cancelled, RetrySendResult.Cancelled)]
    [InlineData(RetryCheck.Settled, RetrySendResult.Settled)]
    [InlineData(RetryCheck.Superseded, RetrySendResult.Superseded)]
    [InlineData(RetryCheck.NotFound, RetrySendResult.NotFound)]
    public async Task A_message_that_should_not_be_retried_gets_no_timer_and_no_requeue(RetryCheck check, RetrySendResult expected)
    {
        var context = NewContext(schedule: check);

        var outcome = await context.Start(new RetrySendOrchestrator(), Input(1));

        Assert.Equal(expected, outcome.Result);
        Assert.Empty(context.Timers);
        Assert.Empty(context.CallsTo(nameof(RequeueSendActivity)));
    }

    [Fact]
    public async Task A_message_cancelled_during_the_wait_is_not_requeued_even_when_the_timer_wins()
    {
        var context = NewContext(requeue: RetryCheck.Cancelled);

        var run = context.Start(new RetrySendOrchestrator(), Input(1));
        context.FireNextTimer();

        Assert.Equal(RetrySendResult.Cancelled, (await run).Result);
        Assert.Single(context.CallsTo(nameof(RequeueSendActivity)));
    }

    [Fact]
    public void The_instance_id_comes_from_the_message_id_so_a_duplicate_start_finds_the_running_one()
    {
        Assert.Equal("retry-msg_1", RetrySendOrchestrator.InstanceIdFor("msg_1"));
        Assert.Equal(RetrySendOrchestrator.InstanceIdFor("msg_1"), RetrySendOrchestrator.InstanceIdFor("msg_1"));
        Assert.Equal(RetrySendInput.Create(Command(1), "x", false, Settings).JitterSeed, RetrySendInput.Create(Command(3), "y", true, Settings).JitterSeed);
    }
}

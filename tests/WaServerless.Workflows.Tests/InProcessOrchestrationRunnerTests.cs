using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Campaigns;
using WaServerless.TestKit;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.InProcess;
using WaServerless.Workflows.Retry;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows.Tests;

public sealed record CountingInput(int Count, int Until);

/// <summary>Waits for "Go", then continues as new with one more, until it has counted to Until.</summary>
public sealed class CountingOrchestrator : TaskOrchestrator<CountingInput, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, CountingInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        await context.WaitForExternalEvent<WorkflowSignal>("Go");
        if (input.Count + 1 < input.Until)
        {
            context.ContinueAsNew(input with { Count = input.Count + 1 });
        }

        return input.Count + 1;
    }
}

/// <summary>
/// The in-process runner on Azurite with a fake clock: the real orchestrators, activities, stores and
/// queues; events, timers, ContinueAsNew, duplicate starts and resuming after a stop.
/// </summary>
public sealed class InProcessOrchestrationRunnerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<InProcessInstanceState?> WaitingAsync(InProcessOrchestrationRunner runner, string instanceId, Func<InProcessInstanceState, bool> condition, string what) =>
        Eventually.MatchesAsync(() => Task.FromResult(runner.GetState(instanceId)), s => s is not null && condition(s), Patience, what);

    [Fact]
    public async Task A_transient_failure_starts_RetrySend_once_and_the_session_reconnecting_requeues_it_without_waiting_out_the_backoff()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await WorkflowHarness.StartAsync(clock);
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, clock, "acc_a");
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var instanceId = RetrySendOrchestrator.InstanceIdFor(command.MessageId);
        var failure = new DeliveryEvent
        {
            EventId = command.MessageId + ".failed.1",
            MessageId = command.MessageId,
            AccountId = "acc_a",
            SessionId = "default",
            Status = MessageStatus.Sending,
            At = Start,
            Attempt = 1,
            Failure = FailureKind.Transient,
            Reason = "session disconnected",
        };

        await dispatcher.OnDeliveryEventAsync(h.Runner, failure, default);
        await dispatcher.OnDeliveryEventAsync(h.Runner, failure, default);
        Assert.False(await h.Runner.StartAsync(RetrySendOrchestrator.Name, instanceId, RetrySendInput.Create(command, "again", true, RetrySettings.Default), default));

        await WaitingAsync(h.Runner, instanceId, s => s.PendingTimers.Count == 1 && s.WaitingForEvents.Contains(WorkflowEvents.SessionConnected), "the retry waiting on its timer and the session");
        var stored = (await h.Messages.GetAsync("acc_a", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Queued, stored.Status);
        var scheduled = Assert.Single(stored.History, c => c.Detail?.StartsWith("retry 2 scheduled at", StringComparison.Ordinal) == true);
        Assert.EndsWith("or when the session reconnects; attempt 1 failed: session disconnected", scheduled.Detail, StringComparison.Ordinal);
        Assert.Empty(await h.DrainLaneAsync(Lane.Normal));

        Assert.Equal(1, await dispatcher.OnSessionConnectedAsync(h.Runner, "acc_a", "default", default));

        var done = (await h.Runner.WaitForCompletionAsync(instanceId, default).WaitAsync(Patience))!;
        Assert.Equal(InProcessInstanceStatus.Completed, done.Status);
        var outcome = WorkflowJson.Deserialize<RetrySendOutcome>(done.OutputJson)!;
        Assert.Equal((RetrySendResult.Requeued, 2, "session reconnected"), (outcome.Result, outcome.Attempt, outcome.Reason));
        var requeued = await Eventually.MatchesAsync(() => h.DrainLaneAsync(Lane.Normal), c => c.Count > 0, Patience, "the requeued command");
        Assert.Equal(2, Assert.Single(requeued).Attempt);
        Assert.Equal(Start, clock.GetUtcNow());
        Assert.Empty(await h.Services.GetRequiredService<SessionWaiters>().ListAsync("acc_a", "default", default));
    }

    [Fact]
    public async Task An_instance_stopped_mid_wait_is_resumed_from_its_stored_input_and_its_backoff_timer_runs_on_the_clock()
    {
        var clock = new FakeTimeProvider(Start);
        var prefix = Azurite.NewPrefix();
        SendCommand command;
        string instanceId;
        await using (var first = await WorkflowHarness.StartAsync(clock, prefix))
        {
            command = await WorkflowHarness.SendingMessageAsync(first.Messages, clock, "acc_b");
            instanceId = RetrySendOrchestrator.InstanceIdFor(command.MessageId);
            Assert.True(await first.Runner.StartAsync(RetrySendOrchestrator.Name, instanceId, RetrySendInput.Create(command, "timed out", false, RetrySettings.Default), default));
            await WaitingAsync(first.Runner, instanceId, s => s.PendingTimers.Count == 1, "the backoff timer");
        }

        // A new process on the same storage: the host resumes the unfinished instance from its input.
        await using var second = await WorkflowHarness.StartAsync(clock, prefix);
        var waiting = await WaitingAsync(second.Runner, instanceId, s => s.PendingTimers.Count == 1, "the resumed backoff timer");
        Assert.InRange(waiting!.PendingTimers[0], Start.AddSeconds(4), Start.AddSeconds(6));
        Assert.Empty(await second.DrainLaneAsync(Lane.Normal));

        clock.Advance(TimeSpan.FromSeconds(10));

        var done = (await second.Runner.WaitForCompletionAsync(instanceId, default).WaitAsync(Patience))!;
        Assert.Equal(RetrySendResult.Requeued, WorkflowJson.Deserialize<RetrySendOutcome>(done.OutputJson)!.Result);
        var requeued = await Eventually.MatchesAsync(() => second.DrainLaneAsync(Lane.Normal), c => c.Count > 0, Patience, "the requeued command");
        Assert.Equal(2, Assert.Single(requeued).Attempt);
        var stored = (await second.Messages.GetAsync("acc_b", command.MessageId, default))!;
        Assert.Single(stored.History, c => c.Detail?.StartsWith("retry 2 scheduled at", StringComparison.Ordinal) == true);
        Assert.Equal(InProcessInstanceStatus.Completed, (await second.Services.GetRequiredService<InProcessInstanceStore>().GetAsync(instanceId, default))!.Status);
    }

    [Fact]
    public async Task ContinueAsNew_restarts_the_orchestrator_with_its_new_input_and_keeps_events_that_came_early()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await WorkflowHarness.StartAsync(clock, configure: s => s.AddWorkflowOrchestrator<CountingOrchestrator>());

        Assert.True(await h.Runner.StartAsync(nameof(CountingOrchestrator), "count-1", new CountingInput(0, 3), default));
        for (var i = 0; i < 3; i++)
        {
            await h.Runner.RaiseEventAsync("count-1", "go", new WorkflowSignal(), default);
        }

        var done = (await h.Runner.WaitForCompletionAsync("count-1", default).WaitAsync(Patience))!;
        Assert.Equal(InProcessInstanceStatus.Completed, done.Status);
        Assert.Equal(3, WorkflowJson.Deserialize<int>(done.OutputJson));
        Assert.Equal(2, done.Generation);
        Assert.Equal(new CountingInput(2, 3), WorkflowJson.Deserialize<CountingInput>(done.InputJson));

        // A completed id may be started again, as with Durable Functions.
        Assert.True(await h.Runner.StartAsync(nameof(CountingOrchestrator), "count-1", new CountingInput(0, 1), default));
        await h.Runner.RaiseEventAsync("count-1", "Go", null, default);
        Assert.Equal(1, WorkflowJson.Deserialize<int>((await h.Runner.WaitForCompletionAsync("count-1", default).WaitAsync(Patience))!.OutputJson));
    }

    [Fact]
    public async Task A_campaign_runs_to_completion_in_spaced_chunks_and_a_cancel_stops_the_rest()
    {
        var clock = new FakeTimeProvider(Start);
        var acceptor = new RecordingAcceptor();
        await using var h = await WorkflowHarness.StartAsync(clock, configure: s =>
        {
            s.AddSingleton<ICampaignSendAcceptor>(acceptor);
            s.Configure<WorkflowOptions>(o => (o.CampaignChunkSize, o.CampaignBatchSize) = (2, 2));
        });
        var store = h.Services.GetRequiredService<CampaignStore>();
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var everyMinute = CampaignStoreTests.NewCampaign("acc_k") with
        {
            Spacing = new CampaignSpacing(TimeSpan.FromMinutes(1), 0, null, null, "UTC"),
        };
        var campaign = await store.CreateAsync(everyMinute, CampaignStoreTests.Recipients(5), default);

        var instanceId = await dispatcher.StartCampaignAsync(h.Runner, "acc_k", campaign.CampaignId, default);
        var completion = h.Runner.WaitForCompletionAsync(instanceId, default);
        await Eventually.MatchesAsync(
            () =>
            {
                // Time moves only to the timer the campaign waits on, so every release lands on its planned slot.
                if (!completion.IsCompleted && h.Runner.GetState(instanceId) is { PendingTimers: [var next, ..] } && next > clock.GetUtcNow())
                {
                    clock.SetUtcNow(next);
                }

                return Task.FromResult(completion.IsCompleted);
            },
            c => c,
            Patience,
            "the campaign to complete");

        var done = (await completion)!;
        Assert.Equal(CampaignRunResult.Completed, WorkflowJson.Deserialize<BulkCampaignOutcome>(done.OutputJson)!.Result);
        Assert.Equal(2, done.Generation);
        Assert.Equal(CampaignStatus.Completed, (await store.GetAsync("acc_k", campaign.CampaignId, default))!.Status);
        var progress = (await store.GetProgressAsync(campaign.CampaignId, default))!;
        Assert.Equal((5, 5, 0), (progress.NextIndex, progress.Released, progress.Skipped));
        var calls = acceptor.Calls.ToList();
        Assert.Equal([0, 1, 2, 3, 4], calls.Select(c => c.Index));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Start.AddMinutes(i)), calls.Select(c => c.ReleaseAt));
        Assert.All(await store.GetRecipientsAsync(campaign.CampaignId, 0, 5, default), r => Assert.Equal($"msg-{campaign.CampaignId}-{r.Index}", r.MessageId));

        // A second campaign, cancelled after its first batch: the rest stay unreleased.
        var hourly = await store.CreateAsync(everyMinute with { CampaignId = CampaignStore.NewId(), Spacing = everyMinute.Spacing with { Interval = TimeSpan.FromHours(1) } }, CampaignStoreTests.Recipients(5), default);
        var hourlyId = await dispatcher.StartCampaignAsync(h.Runner, "acc_k", hourly.CampaignId, default);
        await WaitingAsync(h.Runner, hourlyId, s => s.PendingTimers.Count == 1, "the wait for the second batch");

        Assert.True(await dispatcher.CancelCampaignAsync(h.Runner, "acc_k", hourly.CampaignId, "wrong list", default));

        var cancelled = (await h.Runner.WaitForCompletionAsync(hourlyId, default).WaitAsync(Patience))!;
        Assert.Equal(CampaignRunResult.Cancelled, WorkflowJson.Deserialize<BulkCampaignOutcome>(cancelled.OutputJson)!.Result);
        var stored = (await store.GetAsync("acc_k", hourly.CampaignId, default))!;
        Assert.Equal((CampaignStatus.Cancelled, "wrong list"), (stored.Status, stored.StatusReason));
        Assert.Equal(2, (await store.GetProgressAsync(hourly.CampaignId, default))!.NextIndex);
        Assert.Equal(
            [RecipientReleaseStatus.Released, RecipientReleaseStatus.Released, RecipientReleaseStatus.Pending, RecipientReleaseStatus.Pending, RecipientReleaseStatus.Pending],
            (await store.GetRecipientsAsync(hourly.CampaignId, 0, 5, default)).Select(r => r.Status));
        Assert.False(await dispatcher.CancelCampaignAsync(h.Runner, "acc_k", hourly.CampaignId, null, default));
    }
}

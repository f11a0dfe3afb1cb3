using WaServerless.Core.Bulk;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Campaigns;
using WaServerless.TestKit;
using WaServerless.Workflows.Campaigns;
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
/// RetrySend and BulkCampaign on the real Durable Task engine (replay, timers, events, ContinueAsNew
/// are DurableTask.Core's), with the real activities, stores and queues on Azurite.
/// </summary>
public sealed class DurableEngineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private static DeliveryEvent TransientFailure(SendCommand command, int attempt, string reason) => new()
    {
        EventId = $"{command.MessageId}.failed.{attempt}",
        MessageId = command.MessageId,
        AccountId = command.AccountId,
        SessionKey = command.SessionKey,
        Status = MessageStatus.Sending,
        At = DateTimeOffset.UtcNow,
        Attempt = attempt,
        Failure = FailureKind.Transient,
        Reason = reason,
    };

    private static Task<OrchestrationMetadata?> RunningAsync(WorkflowHarness h, string instanceId, Func<OrchestrationMetadata, bool> condition, string what) =>
        Eventually.MatchesAsync(
            () => h.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true),
            m => m is not null && condition(m),
            Patience,
            what);

    [Fact]
    public async Task A_transient_failure_starts_RetrySend_once_and_the_session_reconnecting_requeues_it_without_waiting_out_the_backoff()
    {
        // A backoff of an hour: only the event can wake it within the test.
        await using var h = await WorkflowHarness.StartAsync(new() { ["Workflows:RetryInitialDelay"] = "01:00:00", ["Workflows:RetryMaxDelay"] = "02:00:00" });
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, TimeProvider.System, "acc_a");
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var instanceId = RetrySendOrchestrator.InstanceIdFor(command.MessageId);
        var failure = TransientFailure(command, 1, "session disconnected");

        await dispatcher.OnDeliveryEventAsync(h.Workflows, failure, default);
        await dispatcher.OnDeliveryEventAsync(h.Workflows, failure, default);
        Assert.False(await h.Workflows.StartAsync(RetrySendOrchestrator.Name, instanceId, RetrySendInput.Create(command, "again", true, RetrySettings.Default), default));

        await RunningAsync(h, instanceId, m => m.SerializedCustomStatus is not null, "the retry waiting on its timer and the session");
        var stored = (await h.Messages.GetAsync("acc_a", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Queued, stored.Status);
        var scheduled = Assert.Single(stored.History, c => c.Detail?.StartsWith("retry 2 scheduled at", StringComparison.Ordinal) == true);
        Assert.EndsWith("or when the session reconnects; attempt 1 failed: session disconnected", scheduled.Detail, StringComparison.Ordinal);
        Assert.Empty(await h.DrainLaneAsync(Lane.Normal));

        Assert.Equal(1, await dispatcher.OnSessionConnectedAsync(h.Workflows, "acc_a", "default", default));

        var (status, outcome) = await h.CompletionAsync<RetrySendOutcome>(instanceId, Patience);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
        Assert.Equal((RetrySendResult.Requeued, 2, "session reconnected"), (outcome!.Result, outcome.Attempt, outcome.Reason));
        var requeued = await Eventually.MatchesAsync(() => h.DrainLaneAsync(Lane.Normal), c => c.Count > 0, Patience, "the requeued command");
        Assert.Equal(2, Assert.Single(requeued).Attempt);
        Assert.Empty(await h.Services.GetRequiredService<SessionWaiters>().ListAsync("acc_a", "default", default));
    }

    [Fact]
    public async Task A_send_that_fails_twice_is_requeued_after_each_backoff_and_goes_out_on_the_third_attempt()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, TimeProvider.System, "acc_r");
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var instanceId = RetrySendOrchestrator.InstanceIdFor(command.MessageId);

        for (var failed = 1; failed <= 2; failed++)
        {
            await dispatcher.OnDeliveryEventAsync(h.Workflows, TransientFailure(command, failed, "rate limited"), default);
            var (status, outcome) = await h.CompletionAsync<RetrySendOutcome>(instanceId, Patience);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
            Assert.Equal((RetrySendResult.Requeued, failed + 1, "backoff elapsed"), (outcome!.Result, outcome.Attempt, outcome.Reason));
            var requeued = await Eventually.MatchesAsync(() => h.DrainLaneAsync(Lane.Normal), c => c.Count > 0, Patience, $"attempt {failed + 1} on the lane");
            Assert.Equal(failed + 1, Assert.Single(requeued).Attempt);

            // The connector takes the requeued attempt.
            Assert.True((await h.Messages.TryAdvanceAsync("acc_r", command.MessageId, new StatusUpdate(MessageStatus.Sending, DateTimeOffset.UtcNow, failed + 1), default)).Item2);
        }

        Assert.True((await h.Messages.TryAdvanceAsync("acc_r", command.MessageId, new StatusUpdate(MessageStatus.Sent, DateTimeOffset.UtcNow, 3), default)).Item2);
        var stored = (await h.Messages.GetAsync("acc_r", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Sent, stored.Status);
        Assert.Equal(2, stored.History.Count(c => c.Detail?.Contains("scheduled at", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task A_failure_on_the_last_allowed_attempt_gives_up_and_fails_the_message_with_the_reason()
    {
        await using var h = await WorkflowHarness.StartAsync(new() { ["Workflows:RetryMaxAttempts"] = "2" });
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, TimeProvider.System, "acc_g");
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var instanceId = RetrySendOrchestrator.InstanceIdFor(command.MessageId);

        await dispatcher.OnDeliveryEventAsync(h.Workflows, TransientFailure(command, 1, "timed out"), default);
        Assert.Equal(RetrySendResult.Requeued, (await h.CompletionAsync<RetrySendOutcome>(instanceId, Patience)).Output!.Result);
        Assert.True((await h.Messages.TryAdvanceAsync("acc_g", command.MessageId, new StatusUpdate(MessageStatus.Sending, DateTimeOffset.UtcNow, 2), default)).Item2);
        await dispatcher.OnDeliveryEventAsync(h.Workflows, TransientFailure(command, 2, "timed out again"), default);

        var (_, outcome) = await h.CompletionAsync<RetrySendOutcome>(instanceId, Patience);
        Assert.Equal((RetrySendResult.GaveUp, 2), (outcome!.Result, outcome.Attempt));
        var stored = (await h.Messages.GetAsync("acc_g", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Failed, stored.Status);
        Assert.Contains("gave up after 2 attempts: timed out again", stored.History[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContinueAsNew_restarts_the_orchestrator_with_its_new_input_and_a_completed_id_may_start_again()
    {
        await using var h = await WorkflowHarness.StartAsync(tasks: r => r.AddOrchestrator<CountingOrchestrator>());

        Assert.True(await h.Workflows.StartAsync(nameof(CountingOrchestrator), "count-1", new CountingInput(0, 3), default));
        for (var i = 0; i < 3; i++)
        {
            // One event per generation: the next is raised once the new generation waits for it.
            await RunningAsync(h, "count-1", m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running && m.ReadInputAs<CountingInput>()!.Count == i, $"generation {i}");
            await h.Workflows.RaiseEventAsync("count-1", "Go", new WorkflowSignal(), default);
        }

        var (status, output) = await h.CompletionAsync<int>("count-1", Patience);
        Assert.Equal((OrchestrationRuntimeStatus.Completed, 3), (status, output));

        Assert.True(await h.Workflows.StartAsync(nameof(CountingOrchestrator), "count-1", new CountingInput(0, 1), default));
        await RunningAsync(h, "count-1", m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the second start");
        await h.Workflows.RaiseEventAsync("count-1", "Go", null, default);
        Assert.Equal(1, (await h.CompletionAsync<int>("count-1", Patience)).Output);
    }

    [Fact]
    public async Task A_campaign_releases_in_spaced_chunks_across_generations_and_completes()
    {
        var acceptor = new RecordingAcceptor();
        await using var h = await WorkflowHarness.StartAsync(configure: s =>
        {
            s.AddSingleton<ICampaignSendAcceptor>(acceptor);
            s.Configure<WorkflowOptions>(o => (o.CampaignChunkSize, o.CampaignBatchSize) = (2, 2));
        });
        var store = h.Services.GetRequiredService<CampaignStore>();
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var spaced = CampaignStoreTests.NewCampaign("acc_k") with { Spacing = new CampaignSpacing(TimeSpan.FromMilliseconds(300), 0, null, null, "UTC") };
        var campaign = await store.CreateAsync(spaced, CampaignStoreTests.Recipients(5), default);

        var instanceId = await dispatcher.StartCampaignAsync(h.Workflows, "acc_k", campaign.CampaignId, default);
        var (status, outcome) = await h.CompletionAsync<BulkCampaignOutcome>(instanceId, Patience);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
        Assert.Equal(CampaignRunResult.Completed, outcome!.Result);
        Assert.Equal(CampaignStatus.Completed, (await store.GetAsync("acc_k", campaign.CampaignId, default))!.Status);
        var progress = (await store.GetProgressAsync(campaign.CampaignId, default))!;
        Assert.Equal((5, 5, 0), (progress.NextIndex, progress.Released, progress.Skipped));
        var calls = acceptor.Calls.ToList();
        Assert.Equal([0, 1, 2, 3, 4], calls.Select(c => c.Index));
        Assert.All(calls.Zip(calls.Skip(1)), pair => Assert.Equal(TimeSpan.FromMilliseconds(300), pair.Second.ReleaseAt - pair.First.ReleaseAt));
        Assert.All(await store.GetRecipientsAsync(campaign.CampaignId, 0, 5, default), r => Assert.Equal($"msg-{campaign.CampaignId}-{r.Index}", r.MessageId));
    }

    [Fact]
    public async Task A_campaign_paused_releases_nothing_until_resumed_and_a_cancel_leaves_the_rest_unreleased()
    {
        var acceptor = new RecordingAcceptor();
        await using var h = await WorkflowHarness.StartAsync(configure: s =>
        {
            s.AddSingleton<ICampaignSendAcceptor>(acceptor);
            s.Configure<WorkflowOptions>(o => (o.CampaignChunkSize, o.CampaignBatchSize) = (10, 1));
        });
        var store = h.Services.GetRequiredService<CampaignStore>();
        var dispatcher = h.Services.GetRequiredService<WorkflowDispatcher>();
        var slow = CampaignStoreTests.NewCampaign("acc_p") with { Spacing = new CampaignSpacing(TimeSpan.FromSeconds(1), 0, null, null, "UTC") };
        var campaign = await store.CreateAsync(slow, CampaignStoreTests.Recipients(6), default);
        var instanceId = await dispatcher.StartCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, default);
        await Eventually.MatchesAsync(() => Task.FromResult(acceptor.Calls.Count), c => c >= 1, Patience, "the first release");

        Assert.True(await dispatcher.PauseCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, "checking the list", default));
        await Eventually.MatchesAsync(async () => (await store.GetAsync("acc_p", campaign.CampaignId, default))!.Status, s => s == CampaignStatus.Paused, Patience, "the campaign paused");
        var whilePaused = acceptor.Calls.Count;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(whilePaused, acceptor.Calls.Count);

        Assert.True(await dispatcher.ResumeCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, null, default));
        await Eventually.MatchesAsync(() => Task.FromResult(acceptor.Calls.Count), c => c > whilePaused, Patience, "a release after the resume");

        Assert.True(await dispatcher.CancelCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, "wrong list", default));
        var (_, outcome) = await h.CompletionAsync<BulkCampaignOutcome>(instanceId, Patience);
        Assert.Equal(CampaignRunResult.Cancelled, outcome!.Result);
        var stored = (await store.GetAsync("acc_p", campaign.CampaignId, default))!;
        Assert.Equal((CampaignStatus.Cancelled, "wrong list"), (stored.Status, stored.StatusReason));
        var released = acceptor.Calls.Count;
        Assert.InRange(released, whilePaused + 1, 5);
        Assert.Equal(6 - released, (await store.GetRecipientsAsync(campaign.CampaignId, 0, 6, default)).Count(r => r.Status == RecipientReleaseStatus.Pending));
        Assert.False(await dispatcher.CancelCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, null, default));
    }
}

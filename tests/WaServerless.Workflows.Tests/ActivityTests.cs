using WaServerless.Core.Bulk;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Queues;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Messages;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows.Tests;

/// <summary>A campaign acceptor that records what it was asked and accepts everything, once per recipient.</summary>
internal sealed class RecordingAcceptor : ICampaignSendAcceptor
{
    public ConcurrentQueue<(int Index, DateTimeOffset ReleaseAt, MessageContent Content)> Calls { get; } = new();

    public Func<CampaignRecipientRecord, CampaignSendOutcome?> Override { get; set; } = _ => null;

    public Task<CampaignSendOutcome> AcceptAsync(CampaignRecord campaign, CampaignRecipientRecord recipient, DateTimeOffset releaseAt, CancellationToken cancellationToken)
    {
        if (Override(recipient) is { } outcome)
        {
            return Task.FromResult(outcome);
        }

        Calls.Enqueue((recipient.Index, releaseAt, CampaignTemplate.Render(campaign.Content, recipient.Variables)));
        return Task.FromResult<CampaignSendOutcome>(new CampaignSendOutcome.Accepted($"msg-{campaign.CampaignId}-{recipient.Index}"));
    }
}

/// <summary>The activities against Azurite: what they change, and that running them again changes nothing more.</summary>
public sealed class ActivityTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Scheduling_a_retry_records_it_in_the_status_history_once_and_registers_for_the_session()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await ActivityHarness.StartAsync(clock);
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, clock, "acc_s");
        var activity = h.Services.GetRequiredService<ScheduleRetryActivity>();
        var request = new RetryScheduleRequest("acc_s", command.MessageId, "default", 1, "session disconnected", Start.AddSeconds(5), true, "retry-x", null);

        Assert.Equal(RetryCheck.Proceed, await activity.ExecuteAsync(request, default));
        Assert.Equal(RetryCheck.Proceed, await activity.ExecuteAsync(request, default));

        var stored = (await h.Messages.GetAsync("acc_s", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Queued, stored.Status);
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Queued], stored.History.Select(c => c.Status));
        Assert.Equal(
            "retry 2 scheduled at 2026-11-23T10:00:05.0000000+00:00 or when the session reconnects; attempt 1 failed: session disconnected",
            stored.History[^1].Detail);
        Assert.Equal(["retry-x"], await h.Services.GetRequiredService<SessionWaiters>().ListAsync("acc_s", "default", default));
        var events = await h.Queues.ReceiveAsync(QueueNames.Events, 32, default);
        var queued = Assert.Single(events, e => ((DeliveryEvent)EventsQueue.Read(e.Body)!).Status == MessageStatus.Queued);
        Assert.Equal(FailureKind.None, ((DeliveryEvent)EventsQueue.Read(queued.Body)!).Failure);
    }

    [Fact]
    public async Task A_requeue_goes_out_once_per_attempt_and_never_for_a_cancelled_message()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await ActivityHarness.StartAsync(clock);
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, clock, "acc_r");
        var requeue = h.Services.GetRequiredService<RequeueSendActivity>();

        Assert.Equal(RetryCheck.Proceed, await requeue.ExecuteAsync(command with { Attempt = 2 }, default));
        Assert.Equal(2, Assert.Single(await h.DrainLaneAsync(Lane.Normal)).Attempt);

        // The connector took attempt 2: a stale run of the same requeue finds it superseded.
        await h.Messages.TryAdvanceAsync("acc_r", command.MessageId, new StatusUpdate(MessageStatus.Sending, Start, 2), default);
        Assert.Equal(RetryCheck.Superseded, await requeue.ExecuteAsync(command with { Attempt = 2 }, default));

        await h.Messages.TryAdvanceAsync("acc_r", command.MessageId, new StatusUpdate(MessageStatus.Queued, Start, 2), default);
        await h.Messages.TryAdvanceAsync("acc_r", command.MessageId, new StatusUpdate(MessageStatus.Cancelled, Start), default);
        Assert.Equal(RetryCheck.Cancelled, await requeue.ExecuteAsync(command with { Attempt = 3 }, default));
        Assert.Empty(await h.DrainLaneAsync(Lane.Normal));
    }

    [Fact]
    public async Task Giving_up_fails_the_message_with_the_reason_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await ActivityHarness.StartAsync(clock);
        var command = await WorkflowHarness.SendingMessageAsync(h.Messages, clock, "acc_f");
        var fail = h.Services.GetRequiredService<MarkRetryFailedActivity>();
        var request = new RetryFailRequest("acc_f", command.MessageId, 5, "gave up after 5 attempts: timed out", null);

        Assert.True(await fail.ExecuteAsync(request, default));
        Assert.False(await fail.ExecuteAsync(request, default));

        var stored = (await h.Messages.GetAsync("acc_f", command.MessageId, default))!;
        Assert.Equal(MessageStatus.Failed, stored.Status);
        Assert.Equal("gave up after 5 attempts: timed out", stored.FailureReason);
    }

    [Fact]
    public async Task Releasing_a_batch_twice_accepts_each_recipient_once_and_counts_it_once()
    {
        var clock = new FakeTimeProvider(Start);
        var acceptor = new RecordingAcceptor();
        await using var h = await ActivityHarness.StartAsync(clock, configure: s => s.AddSingleton<ICampaignSendAcceptor>(acceptor));
        var store = h.Services.GetRequiredService<CampaignStore>();
        var campaign = await store.CreateAsync(CampaignStoreTests.NewCampaign("acc_c"), CampaignStoreTests.Recipients(5), default);
        var release = h.Services.GetRequiredService<ReleaseCampaignBatchActivity>();
        var request = new CampaignReleaseRequest("acc_c", campaign.CampaignId, 0, [Start, Start.AddSeconds(10), Start.AddSeconds(20)]);

        var first = await release.ExecuteAsync(request, default);
        var again = await release.ExecuteAsync(request, default);

        Assert.Equal(new CampaignReleaseResult(3, 3, 0, null), first);
        Assert.Equal(new CampaignReleaseResult(3, 0, 0, null), again);
        Assert.Equal([0, 1, 2], acceptor.Calls.Select(c => c.Index));
        Assert.Equal(request.Slots, acceptor.Calls.Select(c => c.ReleaseAt));
        Assert.Equal(new TextContent("Hi R1"), acceptor.Calls.ElementAt(1).Content);
        var progress = (await store.GetProgressAsync(campaign.CampaignId, default))!;
        Assert.Equal((3, 3, 0, Start.AddSeconds(20)), (progress.NextIndex, progress.Released, progress.Skipped, progress.LastReleaseAt));

        acceptor.Override = r => r.Index == 4 ? new CampaignSendOutcome.Halted(new CampaignHalt(CampaignHaltKind.RateLimited, "per-minute budget", TimeSpan.FromSeconds(40))) : null;
        var halted = await release.ExecuteAsync(request with { FromIndex = 3, Slots = [Start.AddSeconds(30), Start.AddSeconds(40)] }, default);
        Assert.Equal(4, halted.NextIndex);
        Assert.Equal(CampaignHaltKind.RateLimited, halted.Halt!.Kind);
        Assert.Equal(4, (await store.GetProgressAsync(campaign.CampaignId, default))!.NextIndex);

        // Paused in the store (the API wrote it; its event may still be on the way): nothing is released.
        acceptor.Override = _ => null;
        await store.SetStatusAsync("acc_c", campaign.CampaignId, CampaignStatus.Paused, "paused by the API", default);
        var paused = await release.ExecuteAsync(request with { FromIndex = 4, Slots = [Start.AddSeconds(40)] }, default);
        Assert.Equal(new CampaignReleaseResult(4, 0, 0, new CampaignHalt(CampaignHaltKind.Paused, "paused by the API")), paused);
        Assert.Equal(4, acceptor.Calls.Count);
    }

    [Fact]
    public async Task The_accept_path_makes_one_message_per_recipient_with_its_variables_and_stops_for_a_revoked_key()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await ActivityHarness.StartAsync(clock, configure: s => s.Configure<PlanOptions>(o => o.Plans["starter"] = new Plan { MonthlyQuota = 100 }));
        var account = await h.Services.GetRequiredService<AccountStore>().CreateAsync("Bulk test", "starter", 100, null, null, default);
        var (key, _) = await h.Services.GetRequiredService<ApiKeyStore>().CreateAsync(account.Id, "bulk", null, default);
        var store = h.Services.GetRequiredService<CampaignStore>();
        var campaign = await store.CreateAsync(CampaignStoreTests.NewCampaign(account.Id) with { KeyId = key.KeyId }, CampaignStoreTests.Recipients(2), default);
        var recipients = await store.GetRecipientsAsync(campaign.CampaignId, 0, 2, default);
        var acceptor = h.Services.GetRequiredService<ICampaignSendAcceptor>();

        var first = Assert.IsType<CampaignSendOutcome.Accepted>(await acceptor.AcceptAsync(campaign, recipients[0], Start, default));
        var again = Assert.IsType<CampaignSendOutcome.Accepted>(await acceptor.AcceptAsync(campaign, recipients[0], Start, default));

        Assert.Equal(first.MessageId, again.MessageId);
        var message = (await h.Messages.GetAsync(account.Id, first.MessageId, default))!;
        Assert.Equal(new TextContent("Hi R0"), message.Content);
        Assert.Equal(recipients[0].Recipient, message.Recipient);
        Assert.Equal(MessageStoreCampaignSendAcceptor.IdempotencyKeyFor(campaign.CampaignId, 0), message.IdempotencyKey);
        var queued = Assert.Single(await h.DrainLaneAsync(Lane.Bulk));
        Assert.Equal(first.MessageId, queued.MessageId);
        Assert.Null(queued.MaxMediaBytes); // a text campaign: no media to limit

        var photos = await store.CreateAsync(CampaignStoreTests.NewCampaign(account.Id) with { KeyId = key.KeyId, Content = new ImageContent(new Uri("https://cdn.example.com/p.jpg"), "Hi {{name}}") }, CampaignStoreTests.Recipients(2), default);
        // Its second recipient: the first was just sent to, and its recipient gap would schedule it for later.
        Assert.IsType<CampaignSendOutcome.Accepted>(await acceptor.AcceptAsync(photos, (await store.GetRecipientsAsync(photos.CampaignId, 0, 2, default))[1], Start, default));
        // The plan's media limit travels with the command, for the engines that fetch the bytes.
        Assert.Equal(new Plan().MaxMediaBytes, Assert.Single(await h.DrainLaneAsync(Lane.Bulk)).MaxMediaBytes);

        await h.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(key.KeyId, account.Id, default);
        var stopped = Assert.IsType<CampaignSendOutcome.Halted>(await acceptor.AcceptAsync(campaign, recipients[1], Start, default));
        Assert.Equal(CampaignHaltKind.Stopped, stopped.Halt.Kind);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;

namespace WaServerless.Workflows.Tests;

/// <summary>The campaign accept path a batch at a time, on Azurite: per-message limits and idempotency hold.</summary>
public sealed class CampaignSendAcceptorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_batch_stops_at_the_used_up_quota_and_a_restarted_batch_replays_its_messages_without_sending_again()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await ActivityHarness.StartAsync(clock, configure: s => s.Configure<PlanOptions>(o => o.Plans["starter"] = new Plan { MonthlyQuota = 3, SubmissionsPerMinute = 1000 }));
        var account = await h.Services.GetRequiredService<AccountStore>().CreateAsync("Batch test", "starter", 3, null, null, default);
        var (key, _) = await h.Services.GetRequiredService<ApiKeyStore>().CreateAsync(account.Id, "bulk", null, default);
        var store = h.Services.GetRequiredService<CampaignStore>();
        var campaign = await store.CreateAsync(CampaignStoreTests.NewCampaign(account.Id) with { KeyId = key.KeyId }, CampaignStoreTests.Recipients(5), default);
        var items = (await store.GetRecipientsAsync(campaign.CampaignId, 0, 5, default)).Select(r => new CampaignSendItem(r, Start)).ToList();
        var acceptor = h.Services.GetRequiredService<ICampaignSendAcceptor>();

        var outcomes = await acceptor.AcceptBatchAsync(campaign, items, default);

        Assert.Equal(4, outcomes.Count);
        var accepted = outcomes.Take(3).Select(o => Assert.IsType<CampaignSendOutcome.Accepted>(o).MessageId).ToList();
        Assert.Equal(CampaignHaltKind.QuotaExceeded, Assert.IsType<CampaignSendOutcome.Halted>(outcomes[3]).Halt.Kind);
        var queued = await h.DrainLaneAsync(Lane.Bulk);
        Assert.Equal(accepted.Order(), queued.Select(c => c.MessageId).Order());
        Assert.Equal(["Hi R0", "Hi R1", "Hi R2"], (await Task.WhenAll(accepted.Select(id => h.Messages.GetAsync(account.Id, id, default)))).Select(m => ((TextContent)m!.Content).Text));

        // The same batch again (the activity restarted before it settled): the same messages, nothing enqueued.
        var again = await acceptor.AcceptBatchAsync(campaign, items.Take(3).ToList(), default);

        Assert.Equal(accepted, again.Select(o => Assert.IsType<CampaignSendOutcome.Accepted>(o).MessageId));
        Assert.Empty(await h.DrainLaneAsync(Lane.Bulk));
    }
}

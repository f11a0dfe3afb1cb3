using WaServerless.Core.Bulk;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Messages;
using WaServerless.Storage.Campaigns;
using WaServerless.TestKit;

namespace WaServerless.Workflows.Tests;

/// <summary>The campaign tables on Azurite: creation, status rules, and counting each release once.</summary>
public sealed class CampaignStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private CampaignStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new CampaignStore((await Azurite.Shared).Clients(), _clock);
        await _store.EnsureTablesAsync(default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    internal static CampaignRecord NewCampaign(string accountId = "acc_1", string sessionId = "default", TimeSpan? interval = null) => new(
        CampaignStore.NewId(),
        accountId,
        "key_1",
        sessionId,
        "November promo",
        new TextContent("Hi {{name}}"),
        7,
        new CampaignSpacing(interval ?? TimeSpan.FromSeconds(10), 0.2, new TimeOnly(9, 0), new TimeOnly(20, 0), "Europe/Berlin"),
        0,
        CampaignStatus.Preparing,
        null,
        DateTimeOffset.MinValue,
        DateTimeOffset.MinValue);

    internal static IReadOnlyList<CampaignRecipient> Recipients(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new CampaignRecipient($"+1415555{i:D4}", new Dictionary<string, string> { ["name"] = $"R{i}" }))];

    [Fact]
    public async Task Creating_stores_the_campaign_running_with_every_recipient_pending_and_no_progress()
    {
        var campaign = NewCampaign();

        var created = await _store.CreateAsync(campaign, Recipients(250), default);

        Assert.Equal(CampaignStatus.Running, created.Status);
        Assert.Equal(250, created.Total);
        var stored = await _store.GetAsync(campaign.AccountId, campaign.CampaignId, default);
        Assert.Equal(created, stored);
        Assert.Equal(new TextContent("Hi {{name}}"), stored!.Content);
        Assert.Equal(new TimeOnly(20, 0), stored.Spacing.WindowEnd);
        Assert.Equal(new CampaignProgress(0, 0, 0, null, _clock.GetUtcNow()), await _store.GetProgressAsync(campaign.CampaignId, default));

        var slice = await _store.GetRecipientsAsync(campaign.CampaignId, 98, 4, default);
        Assert.Equal([98, 99, 100, 101], slice.Select(r => r.Index));
        Assert.All(slice, r => Assert.Equal(RecipientReleaseStatus.Pending, r.Status));
        Assert.Equal("R100", slice[2].Variables!["name"]);
        Assert.Equal("+14155550100", slice[2].Recipient);

        // Creating again with the same id returns what is there.
        Assert.Equal(created, await _store.CreateAsync(campaign with { Name = "other" }, Recipients(3), default));
    }

    [Fact]
    public async Task Settling_a_batch_twice_counts_it_once_and_progress_never_moves_back()
    {
        var campaign = await _store.CreateAsync(NewCampaign(), Recipients(10), default);
        RecipientRelease[] batch =
        [
            new(0, RecipientReleaseStatus.Released, "msg_a", null),
            new(1, RecipientReleaseStatus.Skipped, null, "daily cap"),
            new(2, RecipientReleaseStatus.Released, "msg_c", null),
        ];

        var slot = _clock.GetUtcNow().AddSeconds(20);
        var first = await _store.RecordReleasesAsync(campaign.CampaignId, batch, 3, slot, default);
        var again = await _store.RecordReleasesAsync(campaign.CampaignId, batch, 3, slot, default);
        var behind = await _store.RecordReleasesAsync(campaign.CampaignId, [], 1, slot.AddSeconds(-20), default);

        Assert.Equal((3, 2, 1, slot), (first.NextIndex, first.Released, first.Skipped, first.LastReleaseAt));
        Assert.Equal(first, again);
        Assert.Equal((3, slot), (behind.NextIndex, behind.LastReleaseAt));
        var recipients = await _store.GetRecipientsAsync(campaign.CampaignId, 0, 4, default);
        Assert.Equal(["msg_a", null, "msg_c", null], recipients.Select(r => r.MessageId));
        Assert.Equal("daily cap", recipients[1].Reason);
        Assert.Equal(RecipientReleaseStatus.Pending, recipients[3].Status);
    }

    [Fact]
    public async Task Cancelled_is_final_and_only_running_or_paused_campaigns_of_the_session_are_active()
    {
        var account = "acc_" + Guid.NewGuid().ToString("N");
        var running = await _store.CreateAsync(NewCampaign(account), Recipients(1), default);
        var paused = await _store.CreateAsync(NewCampaign(account), Recipients(1), default);
        var cancelled = await _store.CreateAsync(NewCampaign(account), Recipients(1), default);
        var otherSession = await _store.CreateAsync(NewCampaign(account, sessionId: "second"), Recipients(1), default);

        Assert.True((await _store.SetStatusAsync(account, paused.CampaignId, CampaignStatus.Paused, "by request", default)).Changed);
        Assert.True((await _store.SetStatusAsync(account, cancelled.CampaignId, CampaignStatus.Cancelled, "wrong list", default)).Changed);
        var (record, changed) = await _store.SetStatusAsync(account, cancelled.CampaignId, CampaignStatus.Running, null, default);

        Assert.False(changed);
        Assert.Equal((CampaignStatus.Cancelled, "wrong list"), (record!.Status, record.StatusReason));
        var active = await _store.ListActiveAsync(account, "default", default);
        Assert.Equal(new[] { running.CampaignId, paused.CampaignId }.Order(), active.Select(c => c.CampaignId).Order());
        Assert.Equal(otherSession.CampaignId, Assert.Single(await _store.ListActiveAsync(account, "second", default)).CampaignId);
        Assert.Equal(4, (await _store.ListAsync(account, default)).Count);
        var missing = await _store.SetStatusAsync(account, "cmp_missing", CampaignStatus.Paused, null, default);
        Assert.Null(missing.Record);
        Assert.False(missing.Changed);
    }
}

using WaServerless.Core.Bulk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Messages;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows.Tests;

/// <summary>
/// A campaign's first phase on Azurite: the recipient list blob read a chunk at a time from its byte
/// offset, and <see cref="PrepareCampaignRecipientsActivity"/> writing the rows from it, going on
/// where it stopped, never undoing a release, and cancelling the campaign when its list is unusable.
/// </summary>
public sealed class CampaignPreparationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private StorageClients _clients = null!;
    private CampaignStore _store = null!;
    private CampaignRecipientListStore _lists = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients();
        _store = new CampaignStore(_clients, _clock);
        await _store.EnsureTablesAsync(default);
        _lists = new CampaignRecipientListStore(_clients);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_list_reads_back_in_chunks_from_each_offset_with_its_variables_intact()
    {
        // 2,000 lines make more than one read buffer, so chunks end mid-buffer and lines cross refills.
        var recipients = CampaignStoreTests.Recipients(2000).Select((r, i) => i % 3 == 0 ? new CampaignRecipient(r.Recipient) : r).ToList();
        recipients[7] = new CampaignRecipient(recipients[7].Recipient, new Dictionary<string, string> { ["name"] = "Zoë \"Z\"\nsecond line 👋" });
        await _lists.SaveAsync("acc_l", "cmp_list", recipients, default);

        var read = new List<CampaignRecipient>();
        var offset = 0L;
        var chunks = 0;
        while (await _lists.ReadAsync("acc_l", "cmp_list", offset, 700, default) is { Recipients.Count: > 0 } chunk)
        {
            Assert.True(chunk.NextOffset > offset);
            read.AddRange(chunk.Recipients);
            offset = chunk.NextOffset;
            chunks++;
        }

        Assert.Equal(3, chunks);
        Assert.Equal(recipients.Select(r => r.Recipient), read.Select(r => r.Recipient));
        Assert.Equal(recipients.Select(r => r.Variables?["name"]), read.Select(r => r.Variables?["name"]));
        Assert.Null(await _lists.ReadAsync("acc_l", "cmp_other", 0, 10, default));
    }

    [Fact]
    public async Task Each_call_writes_one_chunk_and_the_call_that_writes_the_last_rows_marks_the_campaign_running()
    {
        var campaign = await AcceptedAsync(250);
        var activity = NewActivity();
        var request = new CampaignPrepareRequest(campaign.AccountId, campaign.CampaignId, 100);

        var first = await activity.ExecuteAsync(request, default);

        Assert.Equal(new CampaignPrepareResult(true, CampaignStatus.Preparing, 100, 250, null), first);
        Assert.Equal(100, (await _store.GetRecipientsAsync(campaign.CampaignId, 0, 250, default)).Count);
        Assert.Null(await _store.GetProgressAsync(campaign.CampaignId, default));
        Assert.Equal(CampaignStatus.Preparing, (await _store.GetAsync(campaign.AccountId, campaign.CampaignId, default))!.Status);

        Assert.Equal(200, (await activity.ExecuteAsync(request, default)).Prepared);
        var last = await activity.ExecuteAsync(request, default);

        Assert.Equal(new CampaignPrepareResult(true, CampaignStatus.Running, 250, 250, null), last);
        var rows = await _store.GetRecipientsAsync(campaign.CampaignId, 0, 300, default);
        Assert.Equal(Enumerable.Range(0, 250), rows.Select(r => r.Index));
        Assert.Equal(CampaignStoreTests.Recipients(250).Select(r => (r.Recipient, r.Variables!["name"])), rows.Select(r => (r.Recipient, r.Variables!["name"])));
        Assert.All(rows, r => Assert.Equal(RecipientReleaseStatus.Pending, r.Status));
        Assert.Equal(new CampaignProgress(0, 0, 0, null, Start), await _store.GetProgressAsync(campaign.CampaignId, default));

        // Prepared: another call (a duplicate, or the orchestration restarted) changes nothing.
        Assert.Equal(last, await activity.ExecuteAsync(request, default));
    }

    [Fact]
    public async Task A_restart_goes_on_where_the_last_finished_call_stopped_and_a_repeated_chunk_never_undoes_a_release()
    {
        var campaign = await AcceptedAsync(250);
        var request = new CampaignPrepareRequest(campaign.AccountId, campaign.CampaignId, 100);
        await NewActivity().ExecuteAsync(request, default);
        var afterFirst = await _store.GetPreparationAsync(campaign.CampaignId, default);

        // A fresh activity (another process after a restart) reads from the stored offset: rows 100..199.
        Assert.Equal(200, (await NewActivity().ExecuteAsync(request, default)).Prepared);
        var rows = await _store.GetRecipientsAsync(campaign.CampaignId, 0, 250, default);
        Assert.Equal(Enumerable.Range(0, 200), rows.Select(r => r.Index));
        Assert.Equal("+14155550199", rows[199].Recipient);

        // Every row written, then a crash before the campaign moved on: the next call only completes it.
        var rest = await _lists.ReadAsync(campaign.AccountId, campaign.CampaignId, (await _store.GetPreparationAsync(campaign.CampaignId, default)).NextOffset, 100, default);
        await _store.WriteRecipientsAsync(campaign.CampaignId, 200, rest!.Recipients, rest.NextOffset, default);
        await _clients.Blobs.GetBlobContainerClient(_clients.Name(CampaignRecipientListStore.ContainerName))
            .DeleteBlobAsync(CampaignRecipientListStore.BlobNameFor(campaign.AccountId, campaign.CampaignId));
        Assert.Equal(CampaignStatus.Running, (await NewActivity().ExecuteAsync(request, default)).Status);

        // A late duplicate of the first call writes its chunk again after a release: the release stands.
        await _store.RecordReleasesAsync(campaign.CampaignId, [new RecipientRelease(0, RecipientReleaseStatus.Released, "msg_0", null)], 1, Start, default);
        var stored = await _store.WriteRecipientsAsync(campaign.CampaignId, 0, CampaignStoreTests.Recipients(100), afterFirst.NextOffset, default);

        Assert.Equal(250, stored.Written);
        var first = (await _store.GetRecipientsAsync(campaign.CampaignId, 0, 1, default)).Single();
        Assert.Equal((RecipientReleaseStatus.Released, "msg_0"), (first.Status, first.MessageId));
        Assert.Equal(250, (await _store.GetPreparationAsync(campaign.CampaignId, default)).Written);
    }

    [Fact]
    public async Task A_list_shorter_than_the_campaign_or_missing_cancels_it_with_the_reason()
    {
        var shortList = await AcceptedAsync(5, CampaignStoreTests.Recipients(3));
        var request = new CampaignPrepareRequest(shortList.AccountId, shortList.CampaignId, 100);

        Assert.Equal((CampaignStatus.Preparing, 3), ((await NewActivity().ExecuteAsync(request, default)).Status, (await _store.GetPreparationAsync(shortList.CampaignId, default)).Written));
        var stopped = await NewActivity().ExecuteAsync(request, default);

        Assert.Equal(CampaignStatus.Cancelled, stopped.Status);
        Assert.Equal("the recipient list holds 3 of the campaign's 5 recipients", stopped.Reason);
        Assert.Equal(CampaignStatus.Cancelled, (await _store.GetAsync(shortList.AccountId, shortList.CampaignId, default))!.Status);

        var noList = CampaignStoreTests.NewCampaign("acc_" + Guid.NewGuid().ToString("N")) with { Total = 2 };
        await _store.AddAsync(noList, default);
        var missing = await NewActivity().ExecuteAsync(new CampaignPrepareRequest(noList.AccountId, noList.CampaignId, 100), default);
        Assert.Equal((CampaignStatus.Cancelled, "the recipient list is missing"), (missing.Status, missing.Reason));

        Assert.Equal(CampaignPrepareResult.Missing, await NewActivity().ExecuteAsync(new CampaignPrepareRequest("acc_none", "cmp_none", 100), default));
    }

    [Fact]
    public async Task A_campaign_cancelled_while_preparing_stays_cancelled_and_gets_no_more_rows()
    {
        var campaign = await AcceptedAsync(300);
        var request = new CampaignPrepareRequest(campaign.AccountId, campaign.CampaignId, 100);
        await NewActivity().ExecuteAsync(request, default);

        await _store.SetStatusAsync(campaign.AccountId, campaign.CampaignId, CampaignStatus.Cancelled, CampaignReasons.CancelledByRequest, default);
        var result = await NewActivity().ExecuteAsync(request, default);

        Assert.Equal((CampaignStatus.Cancelled, CampaignReasons.CancelledByRequest), (result.Status, result.Reason));
        Assert.Equal(100, (await _store.GetRecipientsAsync(campaign.CampaignId, 0, 300, default)).Count);
        Assert.Null(await _store.GetProgressAsync(campaign.CampaignId, default));
    }

    [Fact]
    public async Task The_runner_prepares_in_chunks_across_generations_then_releases_every_recipient()
    {
        var acceptor = new RecordingAcceptor();
        await using var h = await WorkflowHarness.StartAsync(configure: s =>
        {
            s.AddSingleton<ICampaignSendAcceptor>(acceptor);
            s.Configure<WorkflowOptions>(o => (o.CampaignPrepareChunkSize, o.CampaignPrepareCallsPerGeneration, o.CampaignChunkSize, o.CampaignBatchSize) = (100, 2, 250, 50));
        });
        var store = h.Services.GetRequiredService<CampaignStore>();
        var campaign = CampaignStoreTests.NewCampaign("acc_p") with { Total = 250, Spacing = new CampaignSpacing(TimeSpan.Zero, 0, null, null, "UTC") };
        await h.Services.GetRequiredService<CampaignRecipientListStore>().SaveAsync("acc_p", campaign.CampaignId, CampaignStoreTests.Recipients(250), default);
        await store.AddAsync(campaign, default);

        var instanceId = await h.Services.GetRequiredService<WorkflowDispatcher>().StartCampaignAsync(h.Workflows, "acc_p", campaign.CampaignId, default);
        var (_, outcome) = await h.CompletionAsync<BulkCampaignOutcome>(instanceId, TimeSpan.FromSeconds(60));

        // Generation 0: rows 0..199; 1: rows 200..249, running; 2: releases all 250.
        Assert.Equal(CampaignRunResult.Completed, outcome!.Result);
        Assert.Equal(Enumerable.Range(0, 250), acceptor.Calls.Select(c => c.Index));
        Assert.Equal(new TextContent("Hi R249"), acceptor.Calls.Last().Content);
        Assert.Equal(CampaignStatus.Completed, (await store.GetAsync("acc_p", campaign.CampaignId, default))!.Status);
    }

    private PrepareCampaignRecipientsActivity NewActivity() => new(_store, _lists, NullLogger<PrepareCampaignRecipientsActivity>.Instance);

    /// <summary>A campaign as POST /api/bulk leaves it: its list in Blob storage, its row preparing, no recipient rows.</summary>
    private async Task<CampaignRecord> AcceptedAsync(int total, IReadOnlyList<CampaignRecipient>? list = null)
    {
        var campaign = CampaignStoreTests.NewCampaign("acc_" + Guid.NewGuid().ToString("N")) with { Total = total };
        await _lists.SaveAsync(campaign.AccountId, campaign.CampaignId, list ?? CampaignStoreTests.Recipients(total), default);
        var (stored, created) = await _store.AddAsync(campaign, default);
        Assert.True(created);
        Assert.Equal(CampaignStatus.Preparing, stored.Status);
        return stored;
    }
}

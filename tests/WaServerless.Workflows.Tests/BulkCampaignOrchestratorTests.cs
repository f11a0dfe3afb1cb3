using WaServerless.Core.Bulk;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;

namespace WaServerless.Workflows.Tests;

/// <summary>BulkCampaign on the fake context: spaced batches, the window, chunks, pause/resume/cancel and throttling.</summary>
public sealed class BulkCampaignOrchestratorTests
{
    private const string CampaignId = "cmp_1";

    // 10:00 in Berlin (UTC+1 in November).
    private static readonly DateTime Start = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);
    private static readonly CampaignSpacing TenSeconds = new(TimeSpan.FromSeconds(10), 0, new TimeOnly(9, 0), new TimeOnly(20, 0), "Europe/Berlin");

    private static BulkCampaignInput Input(int chunk = 100, int batch = 2, TimeSpan? cooldown = null, int prepareChunk = 2000, int prepareCalls = 10) => new()
    {
        AccountId = "acc_1",
        CampaignId = CampaignId,
        Settings = new CampaignRunSettings(chunk, batch, cooldown ?? TimeSpan.FromMinutes(15), MaxSlowdown: 8, PrepareChunkSize: prepareChunk, PrepareCallsPerGeneration: prepareCalls),
    };

    private static FakeOrchestrationContext NewContext(FakeCampaign campaign, DateTime? start = null) =>
        new FakeOrchestrationContext(start ?? Start, BulkCampaignOrchestrator.InstanceIdFor(CampaignId))
            .OnActivity<CampaignRef, CampaignSnapshot>(nameof(LoadCampaignActivity), _ => campaign.Snapshot())
            .OnActivity<CampaignPrepareRequest, CampaignPrepareResult>(nameof(PrepareCampaignRecipientsActivity), campaign.Prepare)
            .OnActivity<CampaignReleaseRequest, CampaignReleaseResult>(nameof(ReleaseCampaignBatchActivity), campaign.Release)
            .OnActivity<CampaignStatusRequest, CampaignStatus>(nameof(SetCampaignStatusActivity), campaign.SetStatus);

    private static List<CampaignReleaseRequest> Releases(FakeOrchestrationContext context) =>
        [.. context.CallsTo(nameof(ReleaseCampaignBatchActivity)).Select(c => (CampaignReleaseRequest)c.Input!)];

    private static List<CampaignPrepareRequest> Preparations(FakeOrchestrationContext context) =>
        [.. context.CallsTo(nameof(PrepareCampaignRecipientsActivity)).Select(c => (CampaignPrepareRequest)c.Input!)];

    private static List<CampaignStatusRequest> Statuses(FakeOrchestrationContext context) =>
        [.. context.CallsTo(nameof(SetCampaignStatusActivity)).Select(c => (CampaignStatusRequest)c.Input!)];

    private static DateTimeOffset At(double seconds) => new DateTimeOffset(Start).AddSeconds(seconds);

    /// <summary>The campaign as the activities would keep it in Tables: status rules, progress, and a paused one releasing nothing.</summary>
    private sealed class FakeCampaign(int total, int nextIndex = 0, CampaignStatus status = CampaignStatus.Running, string? reason = null, CampaignSpacing? spacing = null)
    {
        public bool Exists { get; set; } = true;

        public CampaignStatus Status { get; set; } = status;

        public string? Reason { get; set; } = reason;

        public int NextIndex { get; private set; } = nextIndex;

        public DateTimeOffset? LastReleaseAt { get; init; }

        /// <summary>Recipient rows written while preparing.</summary>
        public int Prepared { get; private set; }

        /// <summary>Runs after each preparation call (a test's hook to change the campaign meanwhile).</summary>
        public Action<CampaignPrepareResult> AfterPrepare { get; set; } = _ => { };

        /// <summary>An answer for a release instead of the usual one (null: the usual one).</summary>
        public Func<CampaignReleaseRequest, CampaignReleaseResult?> Override { get; set; } = _ => null;

        public CampaignSnapshot Snapshot() =>
            Exists ? new(true, Status, Reason, "default", total, NextIndex, spacing ?? TenSeconds, LastReleaseAt) : CampaignSnapshot.Missing;

        public CampaignReleaseResult Release(CampaignReleaseRequest r)
        {
            var result = Override(r) ?? Status switch
            {
                CampaignStatus.Paused => new CampaignReleaseResult(r.FromIndex, 0, 0, new CampaignHalt(CampaignHaltKind.Paused, Reason ?? CampaignReasons.PausedByRequest)),
                _ when Status.IsFinal() => new CampaignReleaseResult(r.FromIndex, 0, 0, new CampaignHalt(CampaignHaltKind.Stopped, "campaign ended")),
                _ => new CampaignReleaseResult(r.FromIndex + r.Slots.Count, r.Slots.Count, 0, null),
            };
            NextIndex = Math.Max(NextIndex, result.NextIndex);
            return result;
        }

        /// <summary>As the activity does: one chunk of rows per call; the call that writes the last marks it running.</summary>
        public CampaignPrepareResult Prepare(CampaignPrepareRequest r)
        {
            if (!Exists)
            {
                return CampaignPrepareResult.Missing;
            }

            if (Status == CampaignStatus.Preparing)
            {
                Prepared = Math.Min(total, Prepared + r.ChunkSize);
                Status = Prepared == total ? CampaignStatus.Running : Status;
            }

            var result = new CampaignPrepareResult(true, Status, Status == CampaignStatus.Preparing ? Prepared : total, total, Reason);
            AfterPrepare(result);
            return result;
        }

        public CampaignStatus SetStatus(CampaignStatusRequest request)
        {
            if (Status.CanMoveTo(request.Status))
            {
                (Status, Reason) = (request.Status, request.Reason);
            }

            return Status;
        }
    }

    [Fact]
    public async Task A_generation_releases_its_chunk_in_spaced_batches_then_continues_as_new_with_its_cursor()
    {
        var context = NewContext(new FakeCampaign(20));

        var run = context.Start(new BulkCampaignOrchestrator(), Input(chunk: 6, batch: 3));

        Assert.Equal([At(0), At(10), At(20)], Assert.Single(Releases(context)).Slots);
        Assert.Equal(At(30), new DateTimeOffset(Assert.Single(context.PendingTimers).FireAt));
        context.FireNextTimer();

        var outcome = await run;
        Assert.Equal(CampaignRunResult.ContinuedAsNew, outcome.Result);
        Assert.Equal(6, outcome.NextIndex);
        Assert.Equal([0, 3], Releases(context).Select(r => r.FromIndex));
        Assert.Equal([At(30), At(40), At(50)], Releases(context)[1].Slots);
        var next = Assert.IsType<BulkCampaignInput>(context.ContinuedAsNewWith);
        Assert.Equal(1, context.ContinueAsNewCount);
        Assert.Equal(6, next.Cursor);
        Assert.Equal(At(50), next.LastReleaseAt);
        Assert.Equal(1, next.Generation);
        Assert.Empty(context.PendingTimers);

        // The next generation keeps the spacing from the last release of the one before.
        var second = NewContext(new FakeCampaign(20, nextIndex: 6), start: At(30).UtcDateTime);
        var secondRun = second.Start(new BulkCampaignOrchestrator(), next);
        Assert.Equal(At(60), new DateTimeOffset(Assert.Single(second.PendingTimers).FireAt));
        second.FireNextTimer();
        Assert.Equal(6, Releases(second)[0].FromIndex);
        Assert.Equal([At(60), At(70), At(80)], Releases(second)[0].Slots);
        second.FireNextTimer();
        Assert.Equal(CampaignRunResult.ContinuedAsNew, (await secondRun).Result);
        Assert.Equal(12, Assert.IsType<BulkCampaignInput>(second.ContinuedAsNewWith).Cursor);
    }

    [Fact]
    public async Task The_last_chunk_completes_the_campaign_instead_of_continuing()
    {
        var context = NewContext(new FakeCampaign(5));

        var run = context.Start(new BulkCampaignOrchestrator(), Input(chunk: 6, batch: 3));
        context.FireNextTimer();

        var outcome = await run;
        Assert.Equal(CampaignRunResult.Completed, outcome.Result);
        Assert.Equal(5, outcome.NextIndex);
        Assert.Equal([3, 2], Releases(context).Select(r => r.Slots.Count));
        Assert.Equal(CampaignStatus.Completed, Assert.Single(Statuses(context)).Status);
        Assert.Equal(0, context.ContinueAsNewCount);
    }

    [Fact]
    public async Task A_release_falling_after_20_00_moves_to_09_00_the_next_day_in_the_campaign_zone()
    {
        var lateEvening = new DateTime(2026, 11, 23, 18, 59, 40, DateTimeKind.Utc); // 19:59:40 in Berlin
        var spacing = TenSeconds with { Interval = TimeSpan.FromSeconds(15) };
        var context = NewContext(new FakeCampaign(10, spacing: spacing), start: lateEvening);

        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 5));

        var first = Assert.Single(Releases(context));
        Assert.Equal([new DateTimeOffset(lateEvening), new DateTimeOffset(lateEvening).AddSeconds(15)], first.Slots);
        var morning = new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc); // 09:00 in Berlin
        Assert.Equal(morning, Assert.Single(context.PendingTimers).FireAt);

        context.FireNextTimer();
        var second = Releases(context)[1];
        Assert.Equal(2, second.FromIndex);
        Assert.Equal(new DateTimeOffset(morning), second.Slots[0]);
        Assert.All(second.Slots, s => Assert.InRange(s, new DateTimeOffset(morning), new DateTimeOffset(morning).AddMinutes(2)));
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task Pause_holds_every_release_until_resume_and_a_reconnect_does_not_undo_a_requested_pause()
    {
        var context = NewContext(new FakeCampaign(6));
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));
        var timer = Assert.Single(context.PendingTimers);

        context.RaiseEvent(WorkflowEvents.Pause, new WorkflowSignal("holiday"));
        Assert.True(timer.Cancelled);
        Assert.Equal((CampaignStatus.Paused, "holiday"), (Statuses(context)[0].Status, Statuses(context)[0].Reason));
        context.Advance(TimeSpan.FromMinutes(30));
        context.RaiseEvent(WorkflowEvents.SessionConnected);
        context.RaiseEvent(WorkflowEvents.Pause);
        Assert.Single(Releases(context));
        Assert.Equal(At(3600).UtcDateTime, Assert.Single(context.PendingTimers).FireAt); // only the hourly re-read
        Assert.Single(Statuses(context));

        context.RaiseEvent(WorkflowEvents.Resume);

        Assert.Equal(CampaignStatus.Running, Statuses(context)[1].Status);
        var resumed = Releases(context)[1];
        Assert.Equal(2, resumed.FromIndex);
        Assert.Equal(At(1800), resumed.Slots[0]);
        context.FireNextTimer();
        Assert.Equal(CampaignRunResult.Completed, (await run).Result);
    }

    [Fact]
    public async Task Cancel_stops_every_unreleased_recipient()
    {
        var context = NewContext(new FakeCampaign(100));
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));
        var timer = Assert.Single(context.PendingTimers);

        context.RaiseEvent(WorkflowEvents.Cancel, new WorkflowSignal("wrong list"));

        var outcome = await run;
        Assert.Equal(CampaignRunResult.Cancelled, outcome.Result);
        Assert.Equal(2, outcome.NextIndex);
        Assert.True(timer.Cancelled);
        Assert.Equal((CampaignStatus.Cancelled, "wrong list"), (Statuses(context)[0].Status, Statuses(context)[0].Reason));
        context.Advance(TimeSpan.FromHours(1));
        Assert.Single(Releases(context));
    }

    [Fact]
    public async Task Cancel_also_ends_a_paused_campaign()
    {
        var context = NewContext(new FakeCampaign(100, status: CampaignStatus.Paused, reason: CampaignReasons.PausedByRequest));
        var run = context.Start(new BulkCampaignOrchestrator(), Input());
        Assert.Empty(Releases(context));

        context.RaiseEvent(WorkflowEvents.Cancel);

        Assert.Equal(CampaignRunResult.Cancelled, (await run).Result);
        Assert.Equal(CampaignReasons.CancelledByRequest, Assert.Single(Statuses(context)).Reason);
        Assert.Empty(Releases(context));
    }

    [Fact]
    public async Task Rate_limiting_doubles_the_interval_for_the_cooldown_then_it_returns_to_normal()
    {
        var context = NewContext(new FakeCampaign(8));
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2, cooldown: TimeSpan.FromMinutes(1)));
        Assert.Equal(At(20).UtcDateTime, Assert.Single(context.PendingTimers).FireAt);

        context.RaiseEvent(WorkflowEvents.Throttle, new CampaignThrottle(ThrottleCause.RateLimited));

        Assert.Equal(At(30).UtcDateTime, Assert.Single(context.PendingTimers).FireAt);
        context.FireNextTimer();
        context.FireNextTimer();
        context.FireNextTimer();
        var releases = Releases(context);
        Assert.Equal([At(30), At(50)], releases[1].Slots);
        Assert.Equal([At(70), At(90)], releases[2].Slots);
        Assert.Equal([At(100), At(110)], releases[3].Slots);
        Assert.Equal(CampaignRunResult.Completed, (await run).Result);
    }

    [Fact]
    public async Task A_lost_session_pauses_the_campaign_until_the_session_reconnects()
    {
        var context = NewContext(new FakeCampaign(4));
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));

        context.RaiseEvent(WorkflowEvents.Throttle, new CampaignThrottle(ThrottleCause.SessionDisconnected, Reason: "session disconnected"));

        var paused = Assert.Single(Statuses(context));
        Assert.Equal(CampaignStatus.Paused, paused.Status);
        Assert.Equal(CampaignReasons.SessionDisconnected, paused.Reason);
        Assert.Equal(context.InstanceId, paused.WaitForSessionInstanceId);
        Assert.Equal(At(3600).UtcDateTime, Assert.Single(context.PendingTimers).FireAt); // only the hourly re-read

        context.Advance(TimeSpan.FromMinutes(10));
        context.RaiseEvent(WorkflowEvents.SessionConnected, new WorkflowSignal("session reconnected"));

        Assert.Equal(CampaignStatus.Running, Statuses(context)[1].Status);
        Assert.Equal(2, Releases(context)[1].FromIndex);
        Assert.Equal(CampaignRunResult.Completed, (await run).Result);
    }

    [Fact]
    public async Task A_generation_goes_on_from_the_stored_progress_when_it_is_further_than_its_input()
    {
        var context = NewContext(new FakeCampaign(10, nextIndex: 4));

        var run = context.Start(new BulkCampaignOrchestrator(), Input(chunk: 2, batch: 2));

        Assert.Equal(4, Assert.Single(Releases(context)).FromIndex);
        Assert.Equal(6, (await run).NextIndex);
    }

    [Fact]
    public async Task A_restart_from_an_older_input_keeps_the_spacing_from_the_stored_last_release()
    {
        var context = NewContext(new FakeCampaign(10, nextIndex: 4) { LastReleaseAt = At(30) });

        _ = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));

        Assert.Empty(Releases(context));
        Assert.Equal(At(40).UtcDateTime, Assert.Single(context.PendingTimers).FireAt);
        context.FireNextTimer();
        Assert.Equal(4, Releases(context)[0].FromIndex);
        Assert.Equal([At(40), At(50)], Releases(context)[0].Slots);
    }

    [Fact]
    public async Task A_used_up_quota_pauses_the_campaign_and_resume_goes_on_from_the_halted_recipient()
    {
        var halted = false;
        var campaign = new FakeCampaign(4)
        {
            Override = r =>
            {
                if (halted || r.FromIndex != 0)
                {
                    return null;
                }

                halted = true;
                return new CampaignReleaseResult(1, 1, 0, new CampaignHalt(CampaignHaltKind.QuotaExceeded, "quota used up"));
            },
        };
        var context = NewContext(campaign);

        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));
        Assert.Equal((CampaignStatus.Paused, "quota used up"), (Statuses(context)[0].Status, Statuses(context)[0].Reason));
        context.RaiseEvent(WorkflowEvents.Resume);
        context.FireNextTimer();
        context.FireNextTimer();

        Assert.Equal([0, 1, 3], Releases(context).Select(r => r.FromIndex));
        Assert.Equal(CampaignRunResult.Completed, (await run).Result);
    }

    [Fact]
    public async Task A_campaign_whose_account_can_no_longer_send_is_stopped()
    {
        var context = NewContext(new FakeCampaign(4) { Override = r => new CampaignReleaseResult(r.FromIndex, 0, 0, new CampaignHalt(CampaignHaltKind.Stopped, "the campaign's API key was revoked")) });

        var outcome = await context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));

        Assert.Equal(CampaignRunResult.Stopped, outcome.Result);
        Assert.Equal((CampaignStatus.Cancelled, "the campaign's API key was revoked"), (Statuses(context)[0].Status, Statuses(context)[0].Reason));
    }

    [Fact]
    public async Task An_ended_or_missing_campaign_releases_nothing()
    {
        foreach (var (campaign, expected) in new[]
        {
            (new FakeCampaign(4, status: CampaignStatus.Completed), CampaignRunResult.Completed),
            (new FakeCampaign(4, status: CampaignStatus.Cancelled), CampaignRunResult.Cancelled),
            (new FakeCampaign(4) { Exists = false }, CampaignRunResult.Stopped),
        })
        {
            var context = NewContext(campaign);
            Assert.Equal(expected, (await context.Start(new BulkCampaignOrchestrator(), Input())).Result);
            Assert.Empty(Releases(context));
        }
    }

    [Fact]
    public async Task A_pause_whose_event_never_came_is_honoured_at_the_next_release_and_a_lost_resume_by_the_hourly_re_read()
    {
        var campaign = new FakeCampaign(10);
        var context = NewContext(campaign);
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));

        (campaign.Status, campaign.Reason) = (CampaignStatus.Paused, "paused by the API");
        context.FireNextTimer();

        Assert.Equal(2, campaign.NextIndex);
        Assert.Equal(At(20 + 3600).UtcDateTime, Assert.Single(context.PendingTimers).FireAt);
        Assert.Empty(Statuses(context));

        campaign.Status = CampaignStatus.Running;
        context.FireNextTimer();

        var resumed = Releases(context)[^1];
        Assert.Equal(2, resumed.FromIndex);
        Assert.Equal(At(20 + 3600), resumed.Slots[0]);
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task An_event_that_came_during_the_last_release_of_a_chunk_is_handled_before_continuing_as_new()
    {
        FakeOrchestrationContext? context = null;
        var campaign = new FakeCampaign(10)
        {
            Override = r =>
            {
                if (r.FromIndex == 2)
                {
                    context!.RaiseEvent(WorkflowEvents.Pause, new WorkflowSignal("during the release"));
                }

                return null;
            },
        };
        context = NewContext(campaign);

        var run = context.Start(new BulkCampaignOrchestrator(), Input(chunk: 4, batch: 2));
        context.FireNextTimer();

        Assert.Equal(CampaignRunResult.ContinuedAsNew, (await run).Result);
        Assert.Equal((CampaignStatus.Paused, "during the release"), (Statuses(context).Single().Status, Statuses(context).Single().Reason));
        Assert.Equal(CampaignStatus.Paused, campaign.Status);
    }

    [Fact]
    public async Task A_long_pause_continues_as_new_at_each_hourly_re_read_so_its_history_stays_small()
    {
        var campaign = new FakeCampaign(10);
        var context = NewContext(campaign);
        var run = context.Start(new BulkCampaignOrchestrator(), Input(batch: 2));
        context.RaiseEvent(WorkflowEvents.Pause);

        context.FireNextTimer();

        var outcome = await run;
        Assert.Equal(CampaignRunResult.ContinuedAsNew, outcome.Result);
        Assert.Equal(2, outcome.NextIndex);
        Assert.Equal(2, Assert.IsType<BulkCampaignInput>(context.ContinuedAsNewWith).Cursor);
        Assert.Equal(2, context.CallsTo(nameof(LoadCampaignActivity)).Count);
        Assert.Empty(context.PendingTimers);

        // The next generation reads the campaign still paused and waits again.
        var next = NewContext(campaign, start: At(3600).UtcDateTime);
        var nextRun = next.Start(new BulkCampaignOrchestrator(), (BulkCampaignInput)context.ContinuedAsNewWith!);
        Assert.Empty(Releases(next));
        Assert.Equal(At(7200).UtcDateTime, Assert.Single(next.PendingTimers).FireAt);
        next.RaiseEvent(WorkflowEvents.Resume);
        Assert.Equal(2, Releases(next)[0].FromIndex);
        Assert.False(nextRun.IsCompleted);
    }

    [Fact]
    public async Task A_preparing_campaign_writes_its_rows_a_chunk_per_call_and_continues_as_new_after_each_generations_calls()
    {
        var campaign = new FakeCampaign(10_000, status: CampaignStatus.Preparing);
        var input = Input(chunk: 4, batch: 2, prepareChunk: 2000, prepareCalls: 3);
        var context = NewContext(campaign);

        var outcome = await context.Start(new BulkCampaignOrchestrator(), input);

        // Three bounded calls, no release, no timer, no event wait; then a fresh generation.
        Assert.Equal(CampaignRunResult.ContinuedAsNew, outcome.Result);
        Assert.Equal(3, Preparations(context).Count);
        Assert.All(Preparations(context), p => Assert.Equal(new CampaignPrepareRequest("acc_1", CampaignId, 2000), p));
        Assert.Empty(Releases(context));
        Assert.Empty(context.Timers);
        Assert.Empty(context.WaitingFor);
        Assert.Equal(6000, Assert.IsType<CampaignRunStatus>(context.CustomStatus).Prepared);
        var next = Assert.IsType<BulkCampaignInput>(context.ContinuedAsNewWith);
        Assert.Equal(input with { Generation = 1 }, next);

        // The second generation writes the last 4,000 rows (the call that does marks it running) and
        // continues as new at once: releasing starts in a generation of its own.
        var second = NewContext(campaign);
        var secondOutcome = await second.Start(new BulkCampaignOrchestrator(), next);
        Assert.Equal(CampaignRunResult.ContinuedAsNew, secondOutcome.Result);
        Assert.Equal(2, Preparations(second).Count);
        Assert.Empty(Releases(second));
        Assert.Equal(CampaignStatus.Running, campaign.Status);
        var releasing = Assert.IsType<BulkCampaignInput>(second.ContinuedAsNewWith);
        Assert.Equal((2, 0), (releasing.Generation, releasing.Cursor));

        var third = NewContext(campaign);
        var thirdRun = third.Start(new BulkCampaignOrchestrator(), releasing);
        Assert.Empty(Preparations(third));
        Assert.Equal(0, Assert.Single(Releases(third)).FromIndex);
        Assert.Equal([At(0), At(10)], Releases(third)[0].Slots);
        third.FireNextTimer();
        Assert.Equal(4, (await thirdRun).NextIndex);
    }

    [Fact]
    public async Task A_campaign_cancelled_or_gone_while_preparing_ends_without_a_release()
    {
        var cancelled = new FakeCampaign(10_000, status: CampaignStatus.Preparing);
        cancelled.AfterPrepare = r =>
        {
            if (r.Prepared == 2000)
            {
                (cancelled.Status, cancelled.Reason) = (CampaignStatus.Cancelled, "wrong list");
            }
        };
        var context = NewContext(cancelled);

        var outcome = await context.Start(new BulkCampaignOrchestrator(), Input());

        Assert.Equal((CampaignRunResult.Cancelled, "wrong list"), (outcome.Result, outcome.Reason));
        Assert.Equal(2, Preparations(context).Count);
        Assert.Empty(Releases(context));
        Assert.Equal(0, context.ContinueAsNewCount);

        var gone = new FakeCampaign(10_000, status: CampaignStatus.Preparing);
        gone.AfterPrepare = _ => gone.Exists = false;
        var goneContext = NewContext(gone);
        var goneOutcome = await goneContext.Start(new BulkCampaignOrchestrator(), Input());
        Assert.Equal((CampaignRunResult.Stopped, "campaign not found"), (goneOutcome.Result, goneOutcome.Reason));
        Assert.Equal(2, Preparations(goneContext).Count);
        Assert.Empty(Releases(goneContext));
    }
}

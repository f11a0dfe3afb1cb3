using WaServerless.Core.Bulk;
using Microsoft.DurableTask;
using WaServerless.Storage.Campaigns;

namespace WaServerless.Workflows.Campaigns;

/// <summary>What a campaign orchestration shows as its custom status; <paramref name="Prepared"/> while it writes the recipient rows.</summary>
public sealed record CampaignRunStatus(int NextIndex, bool Paused, double Slowdown, DateTimeOffset? NextReleaseAt, int? Prepared = null);

/// <summary>
/// Prepares a campaign, then releases its recipients in spaced batches. Each generation reads the
/// campaign (status, spacing, stored progress). While it is preparing (POST /api/bulk stored only
/// the campaign and its recipient list as one blob), the generation calls
/// <see cref="PrepareCampaignRecipientsActivity"/> (a bounded chunk of recipient rows per call, where
/// to go on stored with each chunk) up to PrepareCallsPerGeneration times, then continues as new;
/// the call that writes the last rows marks the campaign running, and the next generation releases.
/// A releasing generation releases up to ChunkSize recipients, then continues as new with its
/// cursor, so 100,000 recipients never make a long history. Within a generation it:
/// <list type="bullet">
/// <item>plans the next batch with <see cref="BulkSpacingPlan"/> (interval with jitter, the daily
/// window, the slowdown) and waits on a durable timer for its first release;</item>
/// <item>hands the batch to <see cref="ReleaseCampaignBatchActivity"/>, which accepts each recipient
/// and schedules it on the queue at its own time;</item>
/// <item>listens throughout for Pause, Resume, Cancel, Throttle and SessionConnected. Pause waits
/// until Resume; Cancel stops every unreleased recipient; Throttle for rate limiting doubles the
/// interval (up to MaxSlowdown) for the cooldown; Throttle for a lost session pauses until the
/// session reconnects (or someone resumes).</item>
/// </list>
/// Event waits are never cancelled within a generation (in Durable Task 1.5 a cancelled wait still
/// takes the next event of its name); each is re-armed only after it fired, and events already in
/// when a generation ends are handled before it continues as new. The events only wake it: the API
/// writes the campaign's status first, every release checks it, and a paused campaign re-reads it
/// hourly, so a lost event costs a delay, never a wrong release. Progress and status live in the
/// campaign tables, so a generation run again from its input goes on where it was.
/// </summary>
public sealed class BulkCampaignOrchestrator : TaskOrchestrator<BulkCampaignInput, BulkCampaignOutcome>
{
    public static TaskName Name => nameof(BulkCampaignOrchestrator);

    public static string InstanceIdFor(string campaignId)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaignId);
        return "campaign-" + campaignId;
    }

    public override async Task<BulkCampaignOutcome> RunAsync(TaskOrchestrationContext context, BulkCampaignInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var snapshot = await context.CallActivityAsync<CampaignSnapshot>(
            nameof(LoadCampaignActivity), new CampaignRef(input.AccountId, input.CampaignId), ActivityRetry.Options);
        return snapshot switch
        {
            { Exists: false } => new BulkCampaignOutcome(CampaignRunResult.Stopped, input.Cursor, snapshot.StatusReason),
            { Status: CampaignStatus.Completed } => new BulkCampaignOutcome(CampaignRunResult.Completed, snapshot.NextIndex, null),
            { Status: CampaignStatus.Cancelled } => new BulkCampaignOutcome(CampaignRunResult.Cancelled, snapshot.NextIndex, snapshot.StatusReason),
            { Status: CampaignStatus.Preparing } => await PrepareAsync(context, input),
            _ => await new Generation(context, input, snapshot).RunAsync(),
        };
    }

    /// <summary>
    /// The first phase: recipient rows from the stored list, a chunk per activity call. Events wait
    /// (Pause and Resume are refused while preparing; a Cancel is seen in the stored status by the
    /// next call, and its event carries over to the next generation).
    /// </summary>
    private static async Task<BulkCampaignOutcome> PrepareAsync(TaskOrchestrationContext context, BulkCampaignInput input)
    {
        var request = new CampaignPrepareRequest(input.AccountId, input.CampaignId, input.Settings.PrepareChunk);
        for (var call = 0; call < input.Settings.PrepareCalls; call++)
        {
            var result = await context.CallActivityAsync<CampaignPrepareResult>(nameof(PrepareCampaignRecipientsActivity), request, ActivityRetry.Options);
            context.SetCustomStatus(new CampaignRunStatus(0, false, 1, null, result.Prepared));
            switch (result)
            {
                case { Exists: false }:
                    return new BulkCampaignOutcome(CampaignRunResult.Stopped, 0, result.Reason);
                case { Status: CampaignStatus.Preparing }:
                    continue;
                case { Status: CampaignStatus.Cancelled }:
                    return new BulkCampaignOutcome(CampaignRunResult.Cancelled, 0, result.Reason);
                case { Status: CampaignStatus.Completed }:
                    return new BulkCampaignOutcome(CampaignRunResult.Completed, 0, result.Reason);
                default:
                    // Prepared: the releasing starts in a generation of its own, with a fresh history.
                    return ContinueAsNew(context, input);
            }
        }

        return ContinueAsNew(context, input);
    }

    private static BulkCampaignOutcome ContinueAsNew(TaskOrchestrationContext context, BulkCampaignInput input)
    {
        context.ContinueAsNew(input with { Generation = input.Generation + 1 });
        return new BulkCampaignOutcome(CampaignRunResult.ContinuedAsNew, input.Cursor, null);
    }

    private enum PauseCause
    {
        Request,
        Session,
        Quota,
    }

    /// <summary>One generation's state; lives only as long as the generation.</summary>
    private sealed class Generation(TaskOrchestrationContext context, BulkCampaignInput input, CampaignSnapshot snapshot)
    {
        private readonly BulkSpacingPlan _plan = BulkSpacingPlan.For(snapshot.Spacing!, input.CampaignId);
        private readonly Signals _signals = new(context);
        private int _cursor = Math.Max(input.Cursor, snapshot.NextIndex);
        private DateTimeOffset? _lastReleaseAt = Latest(input.LastReleaseAt, snapshot.LastReleaseAt);
        private double _slowdown = Math.Max(1, input.Slowdown);
        private DateTimeOffset? _slowUntil = input.SlowUntil;
        private DateTimeOffset? _notBefore;
        private bool _paused = snapshot.Status == CampaignStatus.Paused;
        private PauseCause _pauseCause = snapshot.StatusReason == CampaignReasons.SessionDisconnected ? PauseCause.Session : PauseCause.Request;
        private bool _continueNow;
        private DateTimeOffset? _recheckAt;

        public async Task<BulkCampaignOutcome> RunAsync()
        {
            var chunkEnd = Math.Min(_cursor + input.Settings.ChunkSize, snapshot.Total);
            while (_cursor < chunkEnd && !_continueNow)
            {
                var stopped = _paused ? await WhilePausedAsync() : await ReleaseNextBatchAsync(chunkEnd);
                if (stopped is not null)
                {
                    return stopped;
                }
            }

            if (_cursor >= snapshot.Total)
            {
                // Every recipient is out: a pause or cancel that came meanwhile has nothing left to stop.
                var status = await SetStatusAsync(CampaignStatus.Completed, null);
                return status == CampaignStatus.Cancelled
                    ? new BulkCampaignOutcome(CampaignRunResult.Cancelled, _cursor, null)
                    : new BulkCampaignOutcome(CampaignRunResult.Completed, _cursor, null);
            }

            // An event that completed a wait this generation did not get to would be lost with it.
            while (_signals.TakeCompleted() is { } pending)
            {
                var stopped = _paused ? await OnSignalWhilePausedAsync(pending) : await OnSignalWhileRunningAsync(pending);
                if (stopped is not null)
                {
                    return stopped;
                }
            }

            context.ContinueAsNew(input with
            {
                Cursor = _cursor,
                LastReleaseAt = _lastReleaseAt,
                Slowdown = _slowdown,
                SlowUntil = _slowUntil,
                Generation = input.Generation + 1,
            });
            return new BulkCampaignOutcome(CampaignRunResult.ContinuedAsNew, _cursor, null);
        }

        private async Task<BulkCampaignOutcome?> WhilePausedAsync()
        {
            context.SetCustomStatus(new CampaignRunStatus(_cursor, true, _slowdown, null));
            // One deadline for the whole pause: events that change nothing do not push the re-read back.
            _recheckAt ??= Now() + input.Settings.PausedRecheckInterval;
            using var recheckCancellation = new CancellationTokenSource();
            var recheck = context.CreateTimer(_recheckAt.Value.UtcDateTime, recheckCancellation.Token);
            var signal = await _signals.NextAsync(recheck);
            if (signal.Kind == SignalKind.Timer)
            {
                _recheckAt = null;
            }
            else
            {
                recheckCancellation.Cancel();
            }

            return await OnSignalWhilePausedAsync(signal);
        }

        private async Task<BulkCampaignOutcome?> OnSignalWhilePausedAsync(Signal signal)
        {
            switch (signal.Kind)
            {
                case SignalKind.Timer:
                    var stored = await context.CallActivityAsync<CampaignSnapshot>(
                        nameof(LoadCampaignActivity), new CampaignRef(input.AccountId, input.CampaignId), ActivityRetry.Options);
                    _paused = stored.Exists && stored.Status == CampaignStatus.Paused;

                    // Still paused: start a fresh generation, so that a pause of weeks adds no history.
                    _continueNow = _paused;
                    return stored.Exists ? Ended(stored.Status) : new BulkCampaignOutcome(CampaignRunResult.Stopped, _cursor, stored.StatusReason);
                case SignalKind.Cancel:
                    return await CancelAsync(signal.Reason);
                case SignalKind.Resume:
                case SignalKind.SessionConnected when _pauseCause == PauseCause.Session:
                    var status = await SetStatusAsync(CampaignStatus.Running, null);
                    _paused = status == CampaignStatus.Paused;
                    return Ended(status);
                case SignalKind.Throttle when signal.Throttle?.Cause != ThrottleCause.SessionDisconnected:
                    SlowDown(signal.Throttle);
                    return null;
                default:
                    // Pause while paused, a lost session while paused, a reconnect after a pause by request: nothing to do.
                    return null;
            }
        }

        private async Task<BulkCampaignOutcome?> ReleaseNextBatchAsync(int chunkEnd)
        {
            _recheckAt = null;
            var now = Now();
            if (_slowUntil is { } until && now >= until)
            {
                _slowdown = 1;
                _slowUntil = null;
            }

            var earliest = _notBefore is { } notBefore && notBefore > now ? notBefore : now;
            var slots = _plan.Batch(earliest, _lastReleaseAt, _cursor, Math.Min(input.Settings.BatchSize, chunkEnd - _cursor), _slowdown);
            context.SetCustomStatus(new CampaignRunStatus(_cursor, false, _slowdown, slots[0]));
            if (slots[0] > now)
            {
                using var timerCancellation = new CancellationTokenSource();
                var timer = context.CreateTimer(slots[0].UtcDateTime, timerCancellation.Token);
                var signal = await _signals.NextAsync(timer);
                if (signal.Kind != SignalKind.Timer)
                {
                    // Cancel synchronously, on the orchestration's thread; the batch is planned again.
                    timerCancellation.Cancel();
                    return await OnSignalWhileRunningAsync(signal);
                }
            }

            var result = await context.CallActivityAsync<CampaignReleaseResult>(
                nameof(ReleaseCampaignBatchActivity),
                new CampaignReleaseRequest(input.AccountId, input.CampaignId, _cursor, slots),
                ActivityRetry.Options);
            var settled = result.NextIndex - _cursor;
            if (settled > 0)
            {
                _lastReleaseAt = slots[Math.Min(settled, slots.Count) - 1];
                _cursor = result.NextIndex;
            }

            switch (result.Halt)
            {
                case null:
                    return null;
                case { Kind: CampaignHaltKind.RateLimited } limited:
                    _notBefore = Now() + (limited.RetryAfter ?? TimeSpan.FromMinutes(1));
                    return null;
                case { Kind: CampaignHaltKind.QuotaExceeded } quota:
                    return await PauseAsync(PauseCause.Quota, quota.Reason);
                case { Kind: CampaignHaltKind.Paused } paused:
                    _paused = true;
                    _pauseCause = paused.Reason == CampaignReasons.SessionDisconnected ? PauseCause.Session : PauseCause.Request;
                    return null;
                default:
                    await SetStatusAsync(CampaignStatus.Cancelled, result.Halt.Reason);
                    return new BulkCampaignOutcome(CampaignRunResult.Stopped, _cursor, result.Halt.Reason);
            }
        }

        private async Task<BulkCampaignOutcome?> OnSignalWhileRunningAsync(Signal signal)
        {
            switch (signal.Kind)
            {
                case SignalKind.Cancel:
                    return await CancelAsync(signal.Reason);
                case SignalKind.Pause:
                    return await PauseAsync(PauseCause.Request, signal.Reason ?? CampaignReasons.PausedByRequest);
                case SignalKind.Throttle when signal.Throttle?.Cause == ThrottleCause.SessionDisconnected:
                    return await PauseAsync(PauseCause.Session, CampaignReasons.SessionDisconnected);
                case SignalKind.Throttle:
                    SlowDown(signal.Throttle);
                    return null;
                default:
                    // Resume or a reconnect while running: nothing to do.
                    return null;
            }
        }

        private async Task<BulkCampaignOutcome?> PauseAsync(PauseCause cause, string reason)
        {
            var status = await SetStatusAsync(CampaignStatus.Paused, reason, waitForSession: cause == PauseCause.Session);
            _paused = status == CampaignStatus.Paused;
            _pauseCause = cause;
            return Ended(status);
        }

        private async Task<BulkCampaignOutcome> CancelAsync(string? reason)
        {
            var status = await SetStatusAsync(CampaignStatus.Cancelled, reason ?? CampaignReasons.CancelledByRequest);
            return Ended(status) ?? new BulkCampaignOutcome(CampaignRunResult.Cancelled, _cursor, reason ?? CampaignReasons.CancelledByRequest);
        }

        private void SlowDown(CampaignThrottle? throttle)
        {
            _slowdown = Math.Min(_slowdown * 2, input.Settings.MaxSlowdown);
            _slowUntil = Now() + (throttle?.For ?? input.Settings.ThrottleCooldown);
        }

        /// <summary>The outcome when the stored status says the campaign ended (by this or anyone else), else null.</summary>
        private BulkCampaignOutcome? Ended(CampaignStatus status) => status switch
        {
            CampaignStatus.Cancelled => new BulkCampaignOutcome(CampaignRunResult.Cancelled, _cursor, null),
            CampaignStatus.Completed => new BulkCampaignOutcome(CampaignRunResult.Completed, _cursor, null),
            _ => null,
        };

        private Task<CampaignStatus> SetStatusAsync(CampaignStatus status, string? reason, bool waitForSession = false) =>
            context.CallActivityAsync<CampaignStatus>(
                nameof(SetCampaignStatusActivity),
                new CampaignStatusRequest(input.AccountId, input.CampaignId, status, reason, waitForSession ? context.InstanceId : null),
                ActivityRetry.Options);

        private DateTimeOffset Now() => new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

        private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && (b is null || x >= b) ? x : b;
    }

    private enum SignalKind
    {
        Timer,
        Cancel,
        Pause,
        Resume,
        Throttle,
        SessionConnected,
    }

    private sealed record Signal(SignalKind Kind, string? Reason = null, CampaignThrottle? Throttle = null);

    /// <summary>The generation's event waits: armed once, re-armed only after they fire, never cancelled.</summary>
    private sealed class Signals(TaskOrchestrationContext context)
    {
        private Task<WorkflowSignal?>? _cancel;
        private Task<WorkflowSignal?>? _pause;
        private Task<WorkflowSignal?>? _resume;
        private Task<CampaignThrottle?>? _throttle;
        private Task<WorkflowSignal?>? _connected;

        /// <summary>An event that already completed its wait, if any (Cancel first); its wait is re-armed later.</summary>
        public Signal? TakeCompleted()
        {
            if (_cancel is { IsCompletedSuccessfully: true } cancel)
            {
                _cancel = null;
                return new Signal(SignalKind.Cancel, cancel.Result?.Reason);
            }

            if (_pause is { IsCompletedSuccessfully: true } pause)
            {
                _pause = null;
                return new Signal(SignalKind.Pause, pause.Result?.Reason);
            }

            if (_resume is { IsCompletedSuccessfully: true } resume)
            {
                _resume = null;
                return new Signal(SignalKind.Resume, resume.Result?.Reason);
            }

            if (_throttle is { IsCompletedSuccessfully: true } throttle)
            {
                _throttle = null;
                return new Signal(SignalKind.Throttle, throttle.Result?.Reason, throttle.Result ?? new CampaignThrottle(ThrottleCause.RateLimited));
            }

            if (_connected is { IsCompletedSuccessfully: true } connected)
            {
                _connected = null;
                return new Signal(SignalKind.SessionConnected, connected.Result?.Reason);
            }

            return null;
        }

        /// <summary>The first of the events (Cancel first when several are in) or the timer.</summary>
        public async Task<Signal> NextAsync(Task? timer)
        {
            var cancel = _cancel ??= context.WaitForExternalEvent<WorkflowSignal?>(WorkflowEvents.Cancel);
            var pause = _pause ??= context.WaitForExternalEvent<WorkflowSignal?>(WorkflowEvents.Pause);
            var resume = _resume ??= context.WaitForExternalEvent<WorkflowSignal?>(WorkflowEvents.Resume);
            var throttle = _throttle ??= context.WaitForExternalEvent<CampaignThrottle?>(WorkflowEvents.Throttle);
            var connected = _connected ??= context.WaitForExternalEvent<WorkflowSignal?>(WorkflowEvents.SessionConnected);

            Task[] waits = timer is null ? [cancel, pause, resume, throttle, connected] : [cancel, pause, resume, throttle, connected, timer];
            var winner = await Task.WhenAny(waits);
            if (winner == cancel)
            {
                _cancel = null;
                return new Signal(SignalKind.Cancel, (await cancel)?.Reason);
            }

            if (winner == pause)
            {
                _pause = null;
                return new Signal(SignalKind.Pause, (await pause)?.Reason);
            }

            if (winner == resume)
            {
                _resume = null;
                return new Signal(SignalKind.Resume, (await resume)?.Reason);
            }

            if (winner == throttle)
            {
                _throttle = null;
                var payload = await throttle;
                return new Signal(SignalKind.Throttle, payload?.Reason, payload ?? new CampaignThrottle(ThrottleCause.RateLimited));
            }

            if (winner == connected)
            {
                _connected = null;
                return new Signal(SignalKind.SessionConnected, (await connected)?.Reason);
            }

            await winner;
            return new Signal(SignalKind.Timer);
        }
    }
}

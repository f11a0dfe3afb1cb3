using WaServerless.Core.Bulk;
using WaServerless.Storage.Campaigns;

namespace WaServerless.Workflows.Campaigns;

/// <summary>
/// How campaign orchestrations run, from <see cref="WorkflowOptions"/>; carried in the input.
/// <paramref name="PausedRecheck"/>: how often a paused campaign reads its stored status, in case the
/// Resume or Cancel event never arrived (default an hour). <paramref name="PrepareChunkSize"/>:
/// recipient rows one preparation activity call writes; <paramref name="PrepareCallsPerGeneration"/>:
/// preparation calls before the orchestration continues as new.
/// </summary>
public sealed record CampaignRunSettings(
    int ChunkSize,
    int BatchSize,
    TimeSpan ThrottleCooldown,
    double MaxSlowdown,
    TimeSpan? PausedRecheck = null,
    int PrepareChunkSize = CampaignRunSettings.DefaultPrepareChunkSize,
    int PrepareCallsPerGeneration = CampaignRunSettings.DefaultPrepareCallsPerGeneration)
{
    public const int DefaultPrepareChunkSize = 2000;
    public const int DefaultPrepareCallsPerGeneration = 10;

    public static CampaignRunSettings Default { get; } = new(500, 10, TimeSpan.FromMinutes(15), 8);

    public TimeSpan PausedRecheckInterval => PausedRecheck is { } r && r > TimeSpan.Zero ? r : TimeSpan.FromHours(1);

    /// <summary>The chunk, and calls per generation, with stored inputs from before these settings existed (zero) taken as the defaults.</summary>
    public int PrepareChunk => PrepareChunkSize > 0 ? PrepareChunkSize : DefaultPrepareChunkSize;

    public int PrepareCalls => PrepareCallsPerGeneration > 0 ? PrepareCallsPerGeneration : DefaultPrepareCallsPerGeneration;
}

/// <summary>
/// One generation's input. The campaign itself (content, spacing, status, progress) is in Tables;
/// this carries where to go on from and the pacing state that crosses ContinueAsNew.
/// </summary>
public sealed record BulkCampaignInput
{
    public required string AccountId { get; init; }

    public required string CampaignId { get; init; }

    public required CampaignRunSettings Settings { get; init; }

    /// <summary>The next recipient index; the stored progress wins when it is further.</summary>
    public int Cursor { get; init; }

    /// <summary>When the last released recipient was due: the next one is spaced from it.</summary>
    public DateTimeOffset? LastReleaseAt { get; init; }

    /// <summary>Interval stretch after rate limiting, until <see cref="SlowUntil"/>.</summary>
    public double Slowdown { get; init; } = 1;

    public DateTimeOffset? SlowUntil { get; init; }

    /// <summary>How many times this campaign continued as new.</summary>
    public int Generation { get; init; }
}

public enum CampaignRunResult
{
    /// <summary>This generation released its chunk; the next one goes on from the cursor.</summary>
    ContinuedAsNew,
    Completed,
    Cancelled,
    /// <summary>Stopped for good without a cancel request: the campaign is gone, or its account or key no longer may send.</summary>
    Stopped,
}

public sealed record BulkCampaignOutcome(CampaignRunResult Result, int NextIndex, string? Reason);

public enum ThrottleCause
{
    RateLimited,
    SessionDisconnected,
}

/// <summary>Payload of the Throttle event. <paramref name="For"/>: how long to stay slowed down (default the cooldown).</summary>
public sealed record CampaignThrottle(ThrottleCause Cause, TimeSpan? For = null, string? Reason = null);

/// <summary>Input of the campaign activities that only need to know which campaign.</summary>
public sealed record CampaignRef(string AccountId, string CampaignId);

/// <summary>What <see cref="LoadCampaignActivity"/> reads: the campaign's status, spacing and progress.</summary>
public sealed record CampaignSnapshot(
    bool Exists,
    CampaignStatus Status,
    string? StatusReason,
    [property: System.Text.Json.Serialization.JsonPropertyName("SessionId")] string SessionKey, // the name in orchestration histories already written
    int Total,
    int NextIndex,
    CampaignSpacing? Spacing,
    DateTimeOffset? LastReleaseAt = null)
{
    public static CampaignSnapshot Missing { get; } = new(false, CampaignStatus.Cancelled, "campaign not found", string.Empty, 0, 0, null);
}

/// <summary>Input of <see cref="PrepareCampaignRecipientsActivity"/>: at most <paramref name="ChunkSize"/> recipient rows per call.</summary>
public sealed record CampaignPrepareRequest(string AccountId, string CampaignId, int ChunkSize);

/// <summary>
/// What a preparation call left: the campaign's status (preparing while rows remain; running once
/// all are written; cancelled when someone cancelled it, or its list is missing or unreadable) and
/// how many of its recipient rows are written.
/// </summary>
public sealed record CampaignPrepareResult(bool Exists, CampaignStatus Status, int Prepared, int Total, string? Reason)
{
    public static CampaignPrepareResult Missing { get; } = new(false, CampaignStatus.Cancelled, 0, 0, "campaign not found");
}

/// <summary>Input of <see cref="ReleaseCampaignBatchActivity"/>: recipients from <paramref name="FromIndex"/>, one per slot.</summary>
public sealed record CampaignReleaseRequest(string AccountId, string CampaignId, int FromIndex, IReadOnlyList<DateTimeOffset> Slots);

public enum CampaignHaltKind
{
    /// <summary>The key's per-minute budget is used up: try again after the delay.</summary>
    RateLimited,
    /// <summary>The monthly quota is used up: pause until someone resumes.</summary>
    QuotaExceeded,
    /// <summary>The stored campaign is paused (its Pause event may not have arrived yet): pause.</summary>
    Paused,
    /// <summary>The campaign, its account or its key can no longer send: stop.</summary>
    Stopped,
}

public sealed record CampaignHalt(CampaignHaltKind Kind, string Reason, TimeSpan? RetryAfter = null);

/// <summary>
/// What a release did. Recipients below <paramref name="NextIndex"/> are settled (released or
/// skipped); a <paramref name="Halt"/> says why it stopped before the end of the batch.
/// </summary>
public sealed record CampaignReleaseResult(int NextIndex, int Released, int Skipped, CampaignHalt? Halt);

/// <summary>Input of <see cref="SetCampaignStatusActivity"/>; <paramref name="WaitForSessionInstanceId"/> registers the instance to hear of the session reconnecting.</summary>
public sealed record CampaignStatusRequest(string AccountId, string CampaignId, CampaignStatus Status, string? Reason, string? WaitForSessionInstanceId = null);

/// <summary>Fixed status reasons the orchestration reads back after a restart.</summary>
public static class CampaignReasons
{
    public const string PausedByRequest = "paused by request";
    public const string SessionDisconnected = "session disconnected";
    public const string CancelledByRequest = "cancelled by request";
}

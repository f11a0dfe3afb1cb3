using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Sending;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Retry;

namespace WaServerless.Workflows;

/// <summary>Bound from "Workflows": retry limits and how campaigns release their recipients.</summary>
public sealed class WorkflowOptions : IValidatableObject
{
    public const string Section = "Workflows";

    /// <summary>Attempts in all, the first included; after the last one fails the message is failed.</summary>
    [Range(1, 50)]
    public int RetryMaxAttempts { get; set; } = RetryPolicy.Default.MaxAttempts;

    public TimeSpan RetryInitialDelay { get; set; } = RetryPolicy.Default.InitialDelay;

    public TimeSpan RetryMaxDelay { get; set; } = RetryPolicy.Default.MaxDelay;

    [Range(0.0, 0.99)]
    public double RetryJitter { get; set; } = RetryPolicy.Default.Jitter;

    /// <summary>A message is not retried once it would be older than this (from its acceptance).</summary>
    public TimeSpan RetryMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Recipients one orchestration generation releases before it continues as new (keeps history small).</summary>
    [Range(1, 10_000)]
    public int CampaignChunkSize { get; set; } = 500;

    /// <summary>Recipients released together, each scheduled on the queue at its own spaced time.</summary>
    [Range(1, CampaignStore.MaxReleasesPerBatch)]
    public int CampaignBatchSize { get; set; } = 10;

    /// <summary>How long a campaign stays slowed down after the connector reports rate limiting.</summary>
    public TimeSpan CampaignThrottleCooldown { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The most a campaign's interval is stretched by repeated rate limiting.</summary>
    [Range(1.0, 100.0)]
    public double CampaignMaxSlowdown { get; set; } = 8;

    /// <summary>How often a paused campaign re-reads its stored status, in case a Resume or Cancel event was lost.</summary>
    public TimeSpan CampaignPausedRecheck { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Recipient rows one preparation activity call writes from the campaign's stored list (bounds each call).</summary>
    [Range(100, 20_000)]
    public int CampaignPrepareChunkSize { get; set; } = CampaignRunSettings.DefaultPrepareChunkSize;

    /// <summary>Preparation calls one orchestration generation makes before it continues as new (keeps history small).</summary>
    [Range(1, 100)]
    public int CampaignPrepareCallsPerGeneration { get; set; } = CampaignRunSettings.DefaultPrepareCallsPerGeneration;

    public RetrySettings RetrySettings => new(RetryMaxAttempts, RetryInitialDelay, RetryMaxDelay, RetryJitter, RetryMaxAge);

    public CampaignRunSettings CampaignRunSettings =>
        new(CampaignChunkSize, CampaignBatchSize, CampaignThrottleCooldown, CampaignMaxSlowdown, CampaignPausedRecheck, CampaignPrepareChunkSize, CampaignPrepareCallsPerGeneration);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryInitialDelay <= TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay || RetryMaxAge <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Workflows: RetryInitialDelay and RetryMaxAge must be positive and RetryMaxDelay at least RetryInitialDelay.");
        }

        if (CampaignThrottleCooldown <= TimeSpan.Zero || CampaignPausedRecheck <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Workflows: CampaignThrottleCooldown and CampaignPausedRecheck must be positive.", [nameof(CampaignThrottleCooldown), nameof(CampaignPausedRecheck)]);
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Webhooks;

/// <summary>Bound from "Webhooks": how endpoints are kept and how events are delivered to them.</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Base64 of 32 bytes: the AES-256 key signing secrets are encrypted with at rest (Key Vault in
    /// Azure). A key of its own, not the session-state key: the Functions app needs this one and has
    /// no business holding that one. Unset: webhooks cannot be registered. Never logged.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Allows http:// URLs and loopback, private and link-local targets. For local development and
    /// tests only: in Azure it would let any key holder make the platform call into its network.
    /// </summary>
    public bool AllowLocalTargets { get; set; }

    [Range(1, 100)]
    public int MaxPerAccount { get; set; } = 10;

    /// <summary>How long one delivery attempt may take, connect to response headers.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts in all, the first included.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 20;

    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(2);

    [Range(0.0, 0.99)]
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>An event is not retried once it is older than this.</summary>
    public TimeSpan RetryMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Due retries one sweep takes at most.</summary>
    [Range(1, 1000)]
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>
    /// When due retries are swept: a six-field NCRONTAB expression or a TimeSpan (see
    /// <see cref="Core.Scheduling.TimerSchedule"/>). The Functions timer reads it as %Webhooks:SweepSchedule%.
    /// </summary>
    public string SweepSchedule { get; set; } = DefaultSweepSchedule;

    public const string DefaultSweepSchedule = "*/30 * * * * *";

    /// <summary>
    /// An endpoint is disabled after this many failed attempts in a row that have also gone on for
    /// <see cref="AutoDisableAfter"/>; 0 never disables. Re-enable with PATCH {"enabled": true}.
    /// </summary>
    [Range(0, 100_000)]
    public int AutoDisableFailures { get; set; } = 50;

    public TimeSpan AutoDisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long the previous secret still signs (a second v1) after a rotation.</summary>
    public TimeSpan SecretRotationGrace { get; set; } = TimeSpan.FromHours(24);

    public byte[]? Key => string.IsNullOrWhiteSpace(EncryptionKey) ? null : Convert.FromBase64String(EncryptionKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(EncryptionKey) && Infrastructure.EncryptionKeySetting.Problem("Webhooks:EncryptionKey", EncryptionKey) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(EncryptionKey)]);
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(2))
        {
            yield return new ValidationResult("Webhooks:Timeout must be between 0 and 2 minutes.", [nameof(Timeout)]);
        }

        if (RetryInitialDelay <= TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay || RetryMaxAge <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks: RetryInitialDelay and RetryMaxAge must be positive and RetryMaxDelay at least RetryInitialDelay.", [nameof(RetryInitialDelay), nameof(RetryMaxDelay), nameof(RetryMaxAge)]);
        }

        if (!Core.Scheduling.TimerSchedule.TryParse(SweepSchedule, out _))
        {
            yield return new ValidationResult("Webhooks:SweepSchedule must be a six-field NCRONTAB expression (\"*/30 * * * * *\") or a TimeSpan (\"00:00:05\").", [nameof(SweepSchedule)]);
        }

        if (AutoDisableAfter < TimeSpan.Zero || SecretRotationGrace < TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks: AutoDisableAfter and SecretRotationGrace must not be negative.", [nameof(AutoDisableAfter)]);
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Messages;

public sealed class MessageStoreOptions : IValidatableObject
{
    public const string Section = "Messages";

    /// <summary>How long an idempotency key replays its first response. Never under the 5 minutes commercial APIs promise.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How old an outbox row must be before the sweeper treats its enqueue as lost.</summary>
    public TimeSpan OutboxGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the outbox is swept for lost enqueues: a six-field NCRONTAB expression or a TimeSpan. The
    /// Functions timer reads it as %Messages:OutboxSweepSchedule%, the devhost's loop from here.
    /// </summary>
    public string OutboxSweepSchedule { get; set; } = DefaultOutboxSweepSchedule;

    /// <summary>
    /// The most units of a counted limit (monthly quota, submissions per minute) one instance leases
    /// at a time; see <see cref="AllowanceLeases"/> for what it bounds.
    /// </summary>
    [Range(1, 1000)]
    public int MaxAllowanceBlock { get; set; } = 64;

    /// <summary>How many recipients' send state an instance remembers, to write it without reading it first.</summary>
    [Range(0, 10_000_000)]
    public int RecipientStateCacheSize { get; set; } = 100_000;

    public const string DefaultOutboxSweepSchedule = "0 */1 * * * *";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdempotencyWindow < TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Messages:IdempotencyWindow must be at least 5 minutes.", [nameof(IdempotencyWindow)]);
        }

        if (OutboxGracePeriod <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Messages:OutboxGracePeriod must be positive.", [nameof(OutboxGracePeriod)]);
        }

        if (!Core.Scheduling.TimerSchedule.TryParse(OutboxSweepSchedule, out _))
        {
            yield return new ValidationResult("Messages:OutboxSweepSchedule must be a six-field NCRONTAB expression (\"0 */1 * * * *\") or a TimeSpan (\"00:00:15\").", [nameof(OutboxSweepSchedule)]);
        }
    }
}

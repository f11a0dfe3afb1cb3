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

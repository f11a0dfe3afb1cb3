using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Messages;

public sealed class MessageStoreOptions : IValidatableObject
{
    public const string Section = "Messages";

    /// <summary>How long an idempotency key replays its first response. Never under the 5 minutes commercial APIs promise.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How old an outbox row must be before the sweeper treats its enqueue as lost.</summary>
    public TimeSpan OutboxGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

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
    }
}

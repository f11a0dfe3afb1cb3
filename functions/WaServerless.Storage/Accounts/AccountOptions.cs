using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Limits;

namespace WaServerless.Storage.Accounts;

/// <summary>Bound from "Accounts".</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>Plan of an account created without one.</summary>
    [Required]
    public string DefaultPlan { get; set; } = "starter";
}

/// <summary>Plans by name, bound from "Plans" (shipped in plans.json; a deployment may override any value).</summary>
public sealed class PlanOptions : IValidatableObject
{
    public const string Section = "Plans";

    public Dictionary<string, Plan> Plans { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Plans.Count == 0)
        {
            yield return new ValidationResult("No plans are configured (section Plans; plans.json ships the defaults).");
        }

        foreach (var (name, plan) in Plans)
        {
            if (plan.SubmissionsPerMinute < 1 || plan.MonthlyQuota < 1 || plan.MaxMediaBytes < 1 || plan.RecipientDailyCap < 1)
            {
                yield return new ValidationResult($"Plan '{name}': every limit must be positive.");
            }
        }
    }
}

/// <summary>Send limits that are not per plan. Bound from "Limits".</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Minimum time between two sends to one recipient, unless the key sets its own (0..600 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DefaultRecipientGap { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum time between two otp-priority sends to one recipient.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan OtpCooldown { get; set; } = TimeSpan.FromSeconds(60);
}

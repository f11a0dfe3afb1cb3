using System.ComponentModel.DataAnnotations;
using WaServerless.Storage.Campaigns;

namespace WaServerless.Api.Bulk;

/// <summary>Bound from "Bulk": how large a campaign request may be and what a campaign does when it does not say.</summary>
public sealed class BulkOptions : IValidatableObject
{
    public const string Section = "Bulk";

    /// <summary>
    /// Largest POST /api/bulk body (JSON, form or the multipart with the CSV). It is raised on the
    /// request itself, above Api:MaxBodyBytes; in the devhost Kestrel's own default (30,000,000
    /// bytes) is lifted to it too, in Azure the Functions host allows 100 MB.
    /// </summary>
    [Range(1024, 100 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Most recipient rows one campaign may have (before de-duplication).</summary>
    [Range(1, CampaignStore.MaxRecipients)]
    public int MaxRecipients { get; set; } = 100_000;

    /// <summary>Row errors listed in a response; the rest are counted ("errors_not_shown").</summary>
    [Range(0, 10_000)]
    public int MaxReportedErrors { get; set; } = 100;

    /// <summary>Time between two messages of a campaign that gives no interval_seconds.</summary>
    public TimeSpan DefaultInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest interval_seconds a campaign may ask for.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromDays(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxInterval <= TimeSpan.Zero || DefaultInterval < TimeSpan.Zero || DefaultInterval > MaxInterval)
        {
            yield return new ValidationResult("Bulk: MaxInterval must be positive and DefaultInterval from 0 to MaxInterval.", [nameof(DefaultInterval), nameof(MaxInterval)]);
        }
    }
}

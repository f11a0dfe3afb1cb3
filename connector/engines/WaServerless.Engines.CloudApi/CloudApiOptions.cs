using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// How to reach Meta's WhatsApp Business Cloud API. Bound from "CloudApi" and validated at start.
/// AccessToken and AppSecret are secrets: nothing here echoes them, in logs or in validation errors.
/// </summary>
public sealed partial class CloudApiOptions : IValidatableObject
{
    public const string Section = "CloudApi";

    /// <summary>The Graph API host; a test points it at a local mock.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://graph.facebook.com");

    /// <summary>Graph API version in the path, for example v23.0.</summary>
    [Required]
    public string GraphApiVersion { get; set; } = "v23.0";

    /// <summary>The business phone number's id (not the number itself); also the session id of this engine's events.</summary>
    [Required]
    public string PhoneNumberId { get; set; } = "";

    /// <summary>A system user access token with whatsapp_business_messaging.</summary>
    [Required]
    public string AccessToken { get; set; } = "";

    /// <summary>The app secret that signs webhook bodies (X-Hub-Signature-256).</summary>
    [Required]
    public string AppSecret { get; set; } = "";

    /// <summary>The token Meta echoes when it verifies the webhook URL (hub.verify_token); optional.</summary>
    public string? WebhookVerifyToken { get; set; }

    /// <summary>
    /// An approved authentication template with a copy-code button. Without one, copy-code sends fail
    /// permanently: the Cloud API has no copy-code button outside authentication templates.
    /// </summary>
    public string? CopyCodeTemplateName { get; set; }

    public string CopyCodeTemplateLanguage { get; set; } = "en_US";

    /// <summary>How long one call to the API may take before it counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the session supervisor should probe the phone number's health.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult("BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }

        if (!VersionPattern().IsMatch(GraphApiVersion ?? ""))
        {
            yield return new ValidationResult($"GraphApiVersion '{GraphApiVersion}' must look like v23.0.", [nameof(GraphApiVersion)]);
        }

        if (!string.IsNullOrEmpty(PhoneNumberId) && !PhoneNumberId.All(char.IsAsciiDigit))
        {
            yield return new ValidationResult("PhoneNumberId must be the numeric id Meta assigns to the phone number.", [nameof(PhoneNumberId)]);
        }

        if (CopyCodeTemplateName is not null && string.IsNullOrWhiteSpace(CopyCodeTemplateLanguage))
        {
            yield return new ValidationResult("CopyCodeTemplateLanguage is needed with CopyCodeTemplateName.", [nameof(CopyCodeTemplateLanguage)]);
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("RequestTimeout must be above zero and at most 5 minutes.", [nameof(RequestTimeout)]);
        }

        if (HealthCheckInterval < TimeSpan.FromSeconds(10))
        {
            // Health reads count against the app's Graph API call budget.
            yield return new ValidationResult("HealthCheckInterval must be at least 10 seconds.", [nameof(HealthCheckInterval)]);
        }
    }

    [GeneratedRegex(@"^v\d+\.\d+$")]
    private static partial Regex VersionPattern();
}

using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Waha;

/// <summary>Bound from "Waha" (Waha__BaseUrl and friends); validated when the connector starts.</summary>
public sealed class WahaOptions : IValidatableObject
{
    public const string Section = WahaSendingOptions.Section;

    /// <summary>The WAHA sidecar: beside the connector in the same replica, so localhost.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("http://localhost:3000");

    /// <summary>WAHA_API_KEY of the sidecar, sent as X-Api-Key. Also the root the per-session webhook HMAC keys are derived from.</summary>
    [Required]
    [MinLength(16, ErrorMessage = "Waha:ApiKey must be at least 16 characters.")]
    public string ApiKey { get; set; } = "";

    /// <summary>Where WAHA reaches this connector's webhook endpoint (the same replica: http://localhost:8080).</summary>
    [Required]
    public Uri WebhookBaseUrl { get; set; } = new("http://localhost:8080");

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a session that is not WORKING is asked for its status (and its QR while it waits for a
    /// scan): webhooks can be lost, so the connector does not rely on them alone.
    /// </summary>
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a WhatsApp Web QR code stays valid after WAHA shows it.</summary>
    public TimeSpan QrLifetime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How reply and copy-code buttons are sent (WhatsApp Web does not render them). The API reads the same setting.</summary>
    public ButtonsFallback ButtonsFallback { get; set; } = ButtonsFallback.NumberedText;

    /// <summary>Retries WAHA makes for one webhook the connector did not take.</summary>
    [Range(0, 15)]
    public int WebhookRetryAttempts { get; set; } = 6;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BaseUrl.IsAbsoluteUri || !WebhookBaseUrl.IsAbsoluteUri)
        {
            yield return new ValidationResult("Waha:BaseUrl and Waha:WebhookBaseUrl must be absolute URLs.", [nameof(BaseUrl), nameof(WebhookBaseUrl)]);
        }

        if (RequestTimeout <= TimeSpan.Zero || StatusPollInterval <= TimeSpan.Zero || QrLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Waha: RequestTimeout, StatusPollInterval and QrLifetime must be positive.", [nameof(RequestTimeout)]);
        }
    }
}

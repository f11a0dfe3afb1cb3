using System.Globalization;
using System.Net;
using System.Text.Json;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// One Graph API error object: {"error": {"message", "type", "code", "error_data": {"details"}, ...}}
/// in a response, or {"code", "title", "message", "error_data": {"details"}} in a webhook.
/// </summary>
public sealed record CloudApiError(int Code, string? Title, string? Details)
{
    /// <summary>"131026: Message Undeliverable." with the details after a dash when they add something.</summary>
    public string Describe()
    {
        var title = string.IsNullOrWhiteSpace(Title) ? null : Title.Trim();
        var details = string.IsNullOrWhiteSpace(Details) ? null : Details.Trim();
        var text = (title, details) switch
        {
            (null, null) => "no description",
            (not null, null) => title,
            (null, not null) => details,
            _ when string.Equals(title.TrimEnd('.'), details.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) => title,
            _ => $"{title} - {details}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{Code}: {text}");
    }

    /// <summary>The "error" object of a Graph API error response, or null when the body is not one.</summary>
    public static CloudApiError? FromResponse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                ? FromElement(error)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads one error object, response or webhook style; null when it carries no numeric code.</summary>
    public static CloudApiError? FromElement(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object
            || !error.TryGetProperty("code", out var codeElement)
            || !codeElement.TryGetInt32(out var code))
        {
            return null;
        }

        // Webhooks carry a title; responses put it in message as "(#131026) Message Undeliverable.".
        var title = Json.String(error, "title") ?? StripCodePrefix(Json.String(error, "message"), code);
        var details = error.TryGetProperty("error_data", out var data) ? Json.String(data, "details") : null;
        return new CloudApiError(code, title, details);
    }

    private static string? StripCodePrefix(string? message, int code)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"(#{code})");
        return message is not null && message.StartsWith(prefix, StringComparison.Ordinal)
            ? message[prefix.Length..].TrimStart()
            : message;
    }
}

/// <summary>
/// Decides what a failed call means for the message: worth retrying later (Transient) or not
/// (Permanent). Meta asks for decisions on the error code rather than the HTTP status; the status
/// only decides when there is no code, and a 429 or 5xx is always worth another try.
/// </summary>
public static class CloudApiErrorClassifier
{
    /// <summary>Longest reason kept: it is stored with the message and shown to the client.</summary>
    public const int ReasonMaxLength = 500;

    private static readonly HashSet<int> TransientCodes =
    [
        2,      // API service: temporarily down or overloaded
        4,      // API too many calls (app-level rate limit)
        80007,  // WhatsApp Business Account rate limit
        130429, // Cloud API throughput reached
        131000, // Something went wrong (Meta's generic server-side error)
        131016, // Service unavailable
        131048, // Spam rate limit: too many recent messages were blocked or flagged
        131056, // Pair rate limit: too many messages to the same recipient too quickly
    ];

    public static bool IsTransientCode(int code) => TransientCodes.Contains(code);

    /// <summary>Classifies a non-success response. <paramref name="retryAfter"/> comes from a Retry-After header, if any.</summary>
    public static EngineSendResult Classify(HttpStatusCode status, string? body, TimeSpan? retryAfter)
    {
        var error = CloudApiError.FromResponse(body);
        var statusCode = (int)status;
        var transient = statusCode is 408 or 429 or >= 500 || (error is not null && IsTransientCode(error.Code));
        var reason = error?.Describe() ?? string.Create(CultureInfo.InvariantCulture, $"HTTP {statusCode}");
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            reason += string.Create(CultureInfo.InvariantCulture, $" (retry after {Math.Ceiling(wait.TotalSeconds)} s)");
        }

        reason = Shorten(reason);
        return transient ? EngineSendResult.Transient(reason) : EngineSendResult.Permanent(reason);
    }

    internal static string Shorten(string reason) => WaServerless.Core.Text.Clip.ToLength(reason, ReasonMaxLength);
}

internal static class Json
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    public static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];
}

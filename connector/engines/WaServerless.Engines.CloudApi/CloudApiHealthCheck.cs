using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WaServerless.Engines.CloudApi;

/// <summary>Meta's overall can_send_message verdict for the phone number and everything above it.</summary>
public enum CloudApiMessagingStatus
{
    /// <summary>The probe got no verdict: the call failed or the answer had none.</summary>
    Unknown,
    Available,
    /// <summary>Sends work, with a limit somewhere (quality, tier, an unverified business).</summary>
    Limited,
    Blocked,
}

/// <summary>One health probe's answer; Problem says why, when something is not right.</summary>
public sealed record CloudApiHealth(
    DateTimeOffset CheckedAt,
    CloudApiMessagingStatus Messaging,
    string? QualityRating,
    string? NameStatus,
    string? Problem)
{
    public bool CanSend => Messaging is CloudApiMessagingStatus.Available or CloudApiMessagingStatus.Limited;
}

/// <summary>
/// The Cloud API session's liveness probe: GET /{version}/{phone-number-id}?fields=health_status,
/// quality_rating,name_status. There is no connection to keep alive; what can go wrong is the
/// number, the account or the token, and this read notices all three. Failures come back as an
/// Unknown verdict with the reason, not as exceptions, so a supervisor can simply poll it.
/// </summary>
public sealed partial class CloudApiHealthCheck(HttpClient http, IOptions<CloudApiOptions> options, TimeProvider time, ILogger<CloudApiHealthCheck> logger)
{
    public Task<CloudApiHealth> CheckAsync(CancellationToken cancellationToken) => CheckAsync(null, cancellationToken);

    /// <param name="phoneNumberId">A session's own number; null for the configured one.</param>
    public async Task<CloudApiHealth> CheckAsync(string? phoneNumberId, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Get, CloudApiPaths.Health(o, phoneNumberId));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.AccessToken);

        CloudApiHealth health;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            health = response.IsSuccessStatusCode
                ? Parse(text, time.GetUtcNow())
                : Unknown(CloudApiErrorClassifier.Classify(response.StatusCode, text, null).Reason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            health = Unknown("timeout");
        }
        catch (HttpRequestException e)
        {
            health = Unknown($"network: {e.HttpRequestError}");
        }

        if (!health.CanSend || health.Problem is not null)
        {
            LogUnhealthy(logger, o.PhoneNumberId, health.Messaging, health.QualityRating, health.Problem);
        }

        return health;
    }

    /// <summary>Reads a health response body; an answer without health_status is Unknown.</summary>
    public static CloudApiHealth Parse(string json, DateTimeOffset checkedAt)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var quality = Json.String(root, "quality_rating");
            var nameStatus = Json.String(root, "name_status");
            if (Json.Object(root, "health_status") is not { } status)
            {
                return new CloudApiHealth(checkedAt, CloudApiMessagingStatus.Unknown, quality, nameStatus, "no health_status in the answer");
            }

            var messaging = ParseStatus(Json.String(status, "can_send_message"));
            return new CloudApiHealth(checkedAt, messaging, quality, nameStatus, FirstProblem(status));
        }
        catch (JsonException)
        {
            return new CloudApiHealth(checkedAt, CloudApiMessagingStatus.Unknown, null, null, "the answer is not JSON");
        }
    }

    private CloudApiHealth Unknown(string? problem) =>
        new(time.GetUtcNow(), CloudApiMessagingStatus.Unknown, null, null, problem ?? "unknown");

    private static CloudApiMessagingStatus ParseStatus(string? value) => value?.ToUpperInvariant() switch
    {
        "AVAILABLE" => CloudApiMessagingStatus.Available,
        "LIMITED" => CloudApiMessagingStatus.Limited,
        "BLOCKED" => CloudApiMessagingStatus.Blocked,
        _ => CloudApiMessagingStatus.Unknown,
    };

    /// <summary>The first entity (phone number, WABA, business, app) that is not AVAILABLE, with Meta's description.</summary>
    private static string? FirstProblem(JsonElement status)
    {
        foreach (var entity in Json.Array(status, "entities"))
        {
            var verdict = Json.String(entity, "can_send_message");
            if (string.Equals(verdict, "AVAILABLE", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var type = Json.String(entity, "entity_type") ?? "entity";
            var description = Json.Array(entity, "errors")
                .Select(e => Json.String(e, "error_description"))
                .FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
            var code = Json.Array(entity, "errors")
                .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("error_code", out var c) && c.TryGetInt32(out var n) ? n : (int?)null)
                .FirstOrDefault(n => n is not null);
            var text = $"{type} {verdict ?? "unknown"}";
            if (code is not null)
            {
                text += $" ({code})";
            }

            return description is null ? text : $"{text}: {description}";
        }

        return null;
    }

    [LoggerMessage(LogLevel.Warning, "Cloud API phone number {PhoneNumberId} health: {Messaging}, quality {Quality}: {Problem}")]
    private static partial void LogUnhealthy(ILogger logger, string phoneNumberId, CloudApiMessagingStatus messaging, string? quality, string? problem);
}
